"""A generated OpenVHS 1.2 export of N courses, as a VHS programme looks: for the intake benchmark.

Deterministic for a given seed, written course by course to the output (never built in
memory), with umlauts, CDATA sections, several dates per course and descriptions of the
length VHS programmes have (350–1 800 characters).

    python -m bench.openvhs_corpus 50000 /tmp/openvhs-50000.xml
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from typing import BinaryIO

__all__ = ["write_corpus"]

_TOPICS = [
    ("Excel für Einsteiger", "5.02"),
    ("Englisch A2 – Konversation", "4.06"),
    ("Töpfern am Wochenende", "3.05"),
    ("Rückenfit und Entspannung", "2.03"),
    ("Deutsch als Zweitsprache B1", "4.01"),
    ("Fotografie: Schärfe, Licht und Bildgestaltung", "3.07"),
    ("Italienisch für die Reise", "4.08"),
    ("Buchführung kompakt (BU)", "5.05"),
    ("Smartphone-Grundlagen für Ältere", "5.01"),
    ("Gitarre für Anfänger/-innen", "3.02"),
]
_TOWNS = [
    ("34117", "Kassel", "Wilhelmshöher Allee"),
    ("34225", "Baunatal", "Marktplatz"),
    ("32756", "Detmold", "Krumme Straße"),
    ("32657", "Lemgo", "Breite Straße"),
    ("34497", "Korbach", "Prof.-Kümmell-Straße"),
]
_SENTENCES = [
    "Sie üben in kleinen Gruppen und bekommen Rückmeldung zu Ihren Fortschritten.",
    "Vorkenntnisse sind nicht nötig; bringen Sie Neugier und etwas Geduld mit.",
    "Im Kurs entstehen Übungen, die Sie zu Hause weiterführen können.",
    "Die Kursleitung stellt Materialien bereit, Kosten für Lehrbücher kommen hinzu.",
    "Für Berufstätige geeignet: die Termine liegen abends oder am Wochenende.",
    "Bitte beachten Sie die Hinweise zu Barrierefreiheit & Anfahrt im Programmheft.",
]
_KINDS = [None, None, None, "online_angebot", "blended_learning"]


def _course(rng: random.Random, number: int) -> str:
    topic, category = _TOPICS[number % len(_TOPICS)]
    plz, town, street = _TOWNS[number % len(_TOWNS)]
    start = date(2027, 1, 11) + timedelta(days=rng.randrange(0, 300))
    meetings = rng.randrange(1, 11)
    hour = rng.choice([9, 14, 17, 18, 19])
    dates = [start + timedelta(weeks=i) for i in range(meetings)]
    text = " ".join(rng.choice(_SENTENCES) for _ in range(rng.randrange(5, 25)))
    kind = _KINDS[number % len(_KINDS)]
    merkmal = (
        f"<merkmale><merkmal><name>kursart_digital</name><wert>{kind}</wert></merkmal></merkmale>"
        if kind
        else ""
    )
    termine = "".join(
        f"<termin><beginn_datum>{day.isoformat()}</beginn_datum>"
        f"<beginn_uhrzeit>{hour:02d}:00:00</beginn_uhrzeit>"
        f"<ende_uhrzeit>{hour + 2:02d}:15:00</ende_uhrzeit></termin>"
        for day in dates
    )
    venue = (
        ""
        if kind == "online_angebot"
        else f"<veranstaltungsort><name><![CDATA[vhs-Haus {town}]]></name><adresse>"
        f"<land><![CDATA[Deutschland]]></land><plz>{plz}</plz><ort><![CDATA[{town}]]></ort>"
        f"<strasse><![CDATA[{street} {number % 90 + 1}]]></strasse></adresse></veranstaltungsort>"
    )
    return (
        f"  <veranstaltung>\n    <guid>GEN-{number:08d}</guid>\n"
        f"    <nummer><![CDATA[{27000 + number}]]></nummer>\n"
        f"    <name><![CDATA[{topic} ({number})]]></name>\n"
        f'    <dvv_kategorie version="2.0">{category}</dvv_kategorie>{merkmal}\n'
        f"    <maximale_teilnehmerzahl>{rng.randrange(6, 25)}</maximale_teilnehmerzahl>\n"
        f"    <anzahl_termine>{meetings}</anzahl_termine>\n"
        f"    <beginn_datum>{dates[0].isoformat()}</beginn_datum>\n"
        f"    <dauer>{meetings * 3}.0</dauer>\n"
        f"    <ende_datum>{dates[-1].isoformat()}</ende_datum>\n"
        f"    <zielgruppe><![CDATA[Erwachsene & Berufstätige]]></zielgruppe>\n"
        f"    <text><eigenschaft>text</eigenschaft><text><![CDATA[{text}]]></text></text>\n"
        f"    {venue}{termine}\n"
        f"    <preis><betrag>{rng.randrange(0, 400)}.{rng.choice(['00', '50', '80'])}</betrag>"
        f"</preis>\n  </veranstaltung>\n"
    )


def write_corpus(out: BinaryIO, count: int, *, seed: int = 15) -> None:
    """Write an OpenVHS export of `count` courses to `out`, one course at a time."""
    rng = random.Random(seed)
    out.write(
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<openvhs:veranstaltungen version="1.2" xmlns:openvhs="http://www.dvv-vhs.de/Open-VHS">\n'
        b"  <export><erstellungszeitpunkt>2026-12-01T03:00:00+01:00</erstellungszeitpunkt>"
        b"<ersteller><guid>gen</guid><name><![CDATA[vhs Generiert]]></name></ersteller></export>\n"
    )
    for number in range(count):
        out.write(_course(rng, number).encode("utf-8"))
    out.write(b"</openvhs:veranstaltungen>\n")


if __name__ == "__main__":
    with open(sys.argv[2], "wb") as target:
        write_corpus(target, int(sys.argv[1]))
