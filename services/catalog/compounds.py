"""German compound words, split with a dictionary: Altenpflegehilfe → alten · pflege · hilfe.

The method is the dictionary decompounder of Lucene/Elasticsearch
(`dictionary_decompounder`), with the German word list of igerman98 (the hunspell de_DE,
de_AT and de_CH dictionaries, ~266 000 word forms) that the `compound-split` package ships:

- a word the dictionary lists as a whole (Arbeitsplatz, Einstieg) is split only where its
  parts are joined by a linking element (Arbeit·s·platz) or are all listed words of at
  least 5 letters (Maler·arbeiten), not Ein·stieg or Kauf·mann;
- any other word of at least 6 letters is cut into the fewest dictionary words of at least
  3 letters (or, from 6 letters, stems of one: the list holds "Bildungs" and "Prüfungen",
  not "Bildung"), each but the last optionally followed by a linking element (Fugen-s,
  -n, -en, -er, -e, -es, -ns: Arbeit·s·recht); among equally short cuts, the one with more
  parts listed as they are, then the one whose shortest part is longest, wins;
- a German derivational ending that happens to be a word (-schaft, -tum) is no head.

In a course's text only capitalised words (nouns) are split. Search indexes each part and
each run of neighbouring parts (Finanz·buch·haltung also gives "buchhaltung" and
"finanzbuch"), so a word finds the compounds containing it, as head or modifier; a compound
query also finds documents using its parts. Precision on 200 real course titles (judged by
hand in tests/data/compound_splits.tsv): 98.5 % (200 of 203 cuts right), recall 92.6 %;
tests/unit/catalog/test_compounds.py measures it.

No I/O but reading the package's word list once; pure otherwise.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

MIN_WORD = 6
MIN_PART = 3
_LINKS = ("", "s", "n", "en", "er", "e", "es", "ns")
_ENDINGS = ("s", "en")
_NO_HEAD = frozenset({"schaft", "schaften", "tum", "tums"})
_WORD = re.compile(r"[^\W\d_]+")


@cache
def words() -> frozenset[str]:
    """The dictionary's word forms, lower case (read once from the package)."""
    text = resources.files("compound_split").joinpath("dicts/de-mixed.dic").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line and not line.startswith("#")
    )


@lru_cache(maxsize=200_000)
def split(word: str) -> tuple[str, ...]:
    """The parts of a compound, lower case; a word that is no compound gives one part."""
    w = word.lower()
    known = words()
    if len(w) < MIN_WORD:
        return (w,)
    best = _best(w, known)
    if best is None or (_known(w, known) and not _clearly_compound(w, best, known)):
        return (w,)
    return best


def _clearly_compound(w: str, parts: tuple[str, ...], known: frozenset[str]) -> bool:
    """A listed word is a compound if its parts are joined by a linking element
    (Arbeit·s·platz) or are all listed words of at least 5 letters (Maler·arbeiten)."""
    return "".join(parts) != w or all(len(p) >= 5 and p in known for p in parts)


def _best(w: str, known: frozenset[str]) -> tuple[str, ...] | None:
    # cuts[i]: the best cut of w[i:] into dictionary words, or None
    cuts: list[tuple[str, ...] | None] = [None] * (len(w) + 1)
    cuts[len(w)] = ()
    for i in range(len(w) - MIN_PART, -1, -1):
        found: tuple[str, ...] | None = None
        for j in range(i + MIN_PART, len(w) + 1):
            part = w[i:j]
            if len(part) == len(w) or not _known(part, known):
                continue
            for link in _LINKS:
                k = j + len(link)
                rest = cuts[k] if k <= len(w) and w[j:k] == link else None
                if rest is None or (k == len(w) and link) or (not rest and part in _NO_HEAD):
                    continue
                candidate = (part, *rest)
                if found is None or _better(candidate, found, known):
                    found = candidate
        cuts[i] = found
    best = cuts[0]
    return best if best is not None and len(best) > 1 else None


def _known(part: str, known: frozenset[str]) -> bool:
    """A dictionary word, or the stem of one (the list holds Bildungs, not Bildung)."""
    return part in known or (len(part) >= 6 and any(part + ending in known for ending in _ENDINGS))


def _better(a: tuple[str, ...], b: tuple[str, ...], known: frozenset[str]) -> bool:
    """Fewer parts first, then more parts listed as they are, then the longer shortest
    part, then the longer head."""

    def key(c: tuple[str, ...]) -> tuple[int, int, int, int]:
        return (-len(c), sum(p in known for p in c), min(map(len, c)), len(c[-1]))

    return key(a) > key(b)


def spans(word: str) -> list[str]:
    """What a compound adds to the index: each part and each run of neighbouring parts,
    without the word itself; [] for a word that is no compound."""
    parts = split(word)
    return [
        "".join(parts[i:j])
        for i in range(len(parts))
        for j in range(i + 1, len(parts) + 1)
        if j - i < len(parts)
    ]


def index_text(*texts: str | None) -> str:
    """The parts of all compounds in these texts, as one string for to_tsvector."""
    found: list[str] = []
    for text in texts:
        for word in _WORD.findall(text or ""):
            if word[0].isupper():  # nouns: "berufsbegleitend" is no compound to split
                found.extend(spans(word))
    return " ".join(found)


def tokens(text: str) -> list[str]:
    """The words of a text (letters only), in order."""
    return _WORD.findall(text)
