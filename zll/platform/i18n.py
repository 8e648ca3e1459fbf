"""Texts for people in the region's languages: German by default, English on request.

Every service answers in the language of the request's `Accept-Language` (RFC 9110 §12.5.4):
German unless the caller prefers English. The texts themselves live in small catalogues, one
dict per language, checked when the module is imported: every language has every key and
the same placeholders, so a missing translation fails the unit tests, not a learner's page.
No gettext/Babel: two languages and a few dozen texts do not need a toolchain.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, get_args

from fastapi import Header

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "de"


def negotiate(accept_language: str | None) -> Language:
    """The best of our languages for an `Accept-Language` header; German when none fits.

    Never fails: a malformed header is as good as none (a browser, a proxy or a fuzzer may
    send anything here, and a wrong language is no reason to refuse a request).
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and weight > 0:
            ranked.append((-weight, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        primary = tag.split("-", 1)[0]
        if primary == "*":
            return DEFAULT_LANGUAGE
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


async def request_language(
    accept_language: Annotated[
        str | None,
        Header(
            alias="Accept-Language",
            description="Language of texts for people (problem documents, notifications): "
            "`de` (default) or `en`. The answer names it in `Content-Language`.",
            examples=["de", "en"],
        ),
    ] = None,
) -> Language:
    """A dependency: declares `Accept-Language` in the OpenAPI document and negotiates it.

    `async` although it awaits nothing: FastAPI runs a plain `def` dependency in a worker
    thread, and this one runs on every request (a burst of requests filled AnyIO's pool).
    """
    return negotiate(accept_language)


def _placeholders(text: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


class Catalogue:
    """Texts by key, one dict per language; looks up in `base` what it does not hold itself."""

    def __init__(
        self, texts: Mapping[Language, Mapping[str, str]], base: Catalogue | None = None
    ) -> None:
        keys = {language: set(texts.get(language, {})) for language in LANGUAGES}
        for language in LANGUAGES:
            missing = keys[DEFAULT_LANGUAGE] ^ keys[language]
            if missing:
                raise ValueError(f"texts not in every language ({language}): {sorted(missing)}")
        for key in keys[DEFAULT_LANGUAGE]:
            shapes = {_placeholders(texts[language][key]) for language in LANGUAGES}
            if len(shapes) > 1:
                raise ValueError(f"{key!r} has different placeholders per language: {shapes}")
        self._texts = texts
        self._base = base

    def __contains__(self, key: str) -> bool:
        inherited = self._base is not None and key in self._base
        return key in self._texts[DEFAULT_LANGUAGE] or inherited

    def __call__(self, key: str, **params: Any) -> Text:
        """A text to be said later, in whatever language the answer turns out to need."""
        if key not in self:
            raise KeyError(f"no text {key!r} in the catalogue")
        return Text(self, key, params)

    def render(self, key: str, language: Language, params: Mapping[str, Any]) -> str:
        if key in self._texts[DEFAULT_LANGUAGE]:
            # A value may itself be a text ("Lernende lena"): said in the same language.
            said = {k: v.in_(language) if isinstance(v, Text) else v for k, v in params.items()}
            return self._texts[language][key].format(**said)
        assert self._base is not None  # __call__ checked the key exists somewhere
        return self._base.render(key, language, params)


@dataclass(frozen=True, slots=True)
class Text:
    """A catalogue key with its values, rendered once the caller's language is known."""

    catalogue: Catalogue
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def in_(self, language: Language) -> str:
        return self.catalogue.render(self.key, language, self.params)

    def __str__(self) -> str:
        return self.in_(DEFAULT_LANGUAGE)


def say(text: str | Text | None, language: Language) -> str | None:
    """A text in `language`; a plain string is said as it is (it has no translation)."""
    if text is None or isinstance(text, str):
        return text
    return text.in_(language)
