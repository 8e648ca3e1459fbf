"""The ESCO vocabulary shipped with matching: labels for URIs, and free text resolved to skills.

Data: esco_vocabulary.tsv.gz beside this module, built by vocabulary_build.py from ESCO
(European Skills, Competences, Qualifications and Occupations, © European Union, CC BY 4.0).
The packaged ESCO data is English only, so a small table of German words that goals are
usually phrased in maps them onto English search words first.
"""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "esco_vocabulary.tsv.gz"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "for",
        "from",
        "in",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "ich",
        "als",
        "im",
        "in",
        "und",
        "mit",
        "zum",
        "zur",
        "der",
        "die",
        "das",
    ]
)

# German goal words → English ESCO words. Extend freely; keys are lower case.
GERMAN = {
    "buchhaltung": "bookkeeping accounting",
    "buchführung": "bookkeeping",
    "buchhalter": "bookkeeper",
    "buchhalterin": "bookkeeper",
    "schweißen": "welding",
    "schweissen": "welding",
    "schweißer": "welder",
    "schweißerin": "welder",
    "pflege": "nursing care",
    "altenpflege": "elderly care",
    "krankenpflege": "nursing",
    "pflegekraft": "nursing assistant",
    "programmieren": "programming",
    "programmierung": "programming",
    "softwareentwicklung": "software development",
    "elektriker": "electrician",
    "elektrikerin": "electrician",
    "elektrotechnik": "electrical engineering",
    "lager": "warehouse",
    "lagerlogistik": "warehouse logistics",
    "logistik": "logistics",
    "verkauf": "sales",
    "einzelhandel": "retail",
    "kinderbetreuung": "childcare",
    "erzieher": "childcare worker",
    "erzieherin": "childcare worker",
    "kochen": "cooking",
    "koch": "cook",
    "köchin": "cook",
    "deutsch": "german",
    "englisch": "english",
    "tabellenkalkulation": "spreadsheet",
    "büro": "office",
    "buchhaltungssoftware": "accounting software",
    "steuer": "tax",
    "lohnbuchhaltung": "payroll",
    "gabelstapler": "forklift",
    "maler": "painter",
    "tischler": "carpenter",
    "schreiner": "carpenter",
    "mechatroniker": "mechatronics",
    "kfz": "vehicle",
    "fahrzeug": "vehicle",
    "gartenbau": "horticulture",
    "reinigung": "cleaning",
    "sicherheit": "safety",
    "erste": "first",
    "hilfe": "aid",
}


@dataclass(frozen=True, slots=True)
class Term:
    uri: str
    kind: str  # skill | occupation
    label: str
    alt_labels: str


@dataclass(frozen=True, slots=True)
class Match:
    uri: str
    kind: str
    label: str
    score: float


class Vocabulary:
    """Look-ups by URI and a word index for resolving free text."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = {t.uri: t for t in terms}
        self._label_words: dict[str, set[str]] = defaultdict(set)
        self._alt_words: dict[str, set[str]] = defaultdict(set)
        for term in terms:
            for word in words(term.label):
                self._label_words[word].add(term.uri)
            for word in words(term.alt_labels):
                self._alt_words[word].add(term.uri)

    def known(self, uri: str) -> bool:
        return uri in self.terms

    def label(self, uri: str) -> str:
        """The preferred label, or the URI itself when ESCO does not know it."""
        term = self.terms.get(uri)
        return term.label if term else uri

    def resolve(self, text: str, *, kind: str | None = None, limit: int = 5) -> list[Match]:
        """Skills or occupations whose labels share the most words with the text."""
        query = [
            w for w in words(" ".join(GERMAN.get(w, w) for w in words(text))) if w not in _STOP
        ]
        if not query:
            return []
        scores: dict[str, float] = defaultdict(float)
        for word in query:
            for uri in self._label_words.get(word, ()):
                scores[uri] += 3.0
            for uri in self._alt_words.get(word, ()):
                scores[uri] += 1.0
        phrase = " ".join(query)
        ranked = []
        for uri, score in scores.items():
            term = self.terms[uri]
            if kind is not None and term.kind != kind:
                continue
            # Exact and short labels first: "welding" beats "welding of mining machinery".
            bonus = 10.0 if term.label.lower() == phrase else 0.0
            ranked.append(
                Match(uri, term.kind, term.label, score + bonus - 0.1 * len(words(term.label)))
            )
        ranked.sort(key=lambda m: (-m.score, m.label))
        return ranked[:limit]


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def load(path: Path = DATA) -> Vocabulary:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        next(lines)  # header
        terms = [Term(*line.rstrip("\n").split("\t")) for line in lines]
    return Vocabulary(terms)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded once per process on first use."""
    return load()
