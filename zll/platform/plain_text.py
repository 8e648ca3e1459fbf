"""Partners' words are shown to people and stored as text, never interpreted (no I/O).

The contract's schemas say what a field is; this rule, the same in every service that reads a
partner topic, keeps text plain: no control characters, no markup where a single line is meant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel
from zll_contracts.field_texts import field_name

from zll.platform.errors import Problem, Refused

# Free text that may span lines; every other string is a single line (titles, names, places).
MULTILINE_FIELDS = frozenset({"description", "reason"})
# C0/C1 controls, and lone surrogates should a model ever let one through (PostgreSQL
# cannot store them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# A tag, comment or declaration: `<` then a letter, `/`, `!` or `?`, up to `>`.
# "a < b > c" stays plain text.
_MARKUP = re.compile(r"<[/!?]?[A-Za-z!?-][^<>]*>")


def text_problems(value: object, path: str = "") -> list[Problem]:
    """Every string of a payload: no control characters (tab and line breaks only in
    multi-line fields), and no markup tags in single-line fields such as titles and names."""
    if isinstance(value, str):
        return _string_problems(path, value)
    if isinstance(value, BaseModel):
        items: Iterable[tuple[object, object]] = value.__dict__.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return []
    return [p for key, item in items for p in text_problems(item, f"{path}.{key}".lstrip("."))]


def _string_problems(path: str, text: str) -> list[Problem]:
    multiline = path.rsplit(".", 1)[-1] in MULTILINE_FIELDS
    control = (_CONTROL if multiline else _LINE_CONTROL).search(text)
    name = field_name(tuple(int(p) if p.isdigit() else p for p in path.split(".")))
    if control:
        allowed = "only tab and line breaks are allowed here" if multiline else "none allowed here"
        code = f"U+{ord(control.group()):04X}"
        where = f"at position {control.start()}"
        erlaubt = "erlaubt sind nur Tabulator und Zeilenumbruch" if multiline else "keine erlaubt"
        return [Problem(
            path,
            f"contains control character {code} {where}; {allowed}",
            f"{name.de} enthält ein Steuerzeichen ({code} an Stelle {control.start() + 1}); "
            f"hier sind {erlaubt}.",
            f"{name.en} contains a control character ({code} at position "
            f"{control.start() + 1}); {allowed}.",
        )]  # fmt: skip
    markup = None if multiline else _MARKUP.search(text)
    if markup:
        tag = markup.group()[:40]
        return [Problem(
            path,
            f"contains markup {tag!r}; titles and names are plain text",
            f"{name.de} enthält Auszeichnungen ({tag}); Titel und Namen sind reiner Text.",
            f"{name.en} contains markup ({tag}); titles and names are plain text.",
        )]  # fmt: skip
    return []


def check_plain_text(payload: BaseModel) -> None:
    # Nearly every payload is clean: one regex pass over all its strings says so, and only a
    # payload that fails it is walked again to name each offending field.
    if _looks_plain(payload):
        return
    problems = text_problems(payload)
    if problems:
        raise Refused(problems)


# Joins a payload's strings for one search: no tag can span it ([^<>] stops at either
# bracket) and it holds no control character.
_SEPARATOR = "<>"


def _looks_plain(payload: BaseModel) -> bool:
    single: list[str] = []
    multi: list[str] = []
    _collect(payload, "", single, multi)
    lines = _SEPARATOR.join(single)
    if _LINE_CONTROL.search(lines) or _MARKUP.search(lines):
        return False
    return not _CONTROL.search(_SEPARATOR.join(multi))


def _collect(value: object, key: object, single: list[str], multi: list[str]) -> None:
    if isinstance(value, str):
        (multi if key in MULTILINE_FIELDS else single).append(value)
    elif isinstance(value, BaseModel):
        for name, item in value.__dict__.items():
            _collect(item, name, single, multi)
    elif isinstance(value, list | tuple):
        for item in value:  # list items are never multi-line fields (as in text_problems)
            _collect(item, "", single, multi)
