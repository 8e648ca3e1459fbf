"""A round's outcome said to a learner, in German and English."""

from __future__ import annotations

from typing import Any

from services.matching.domain.reasons import Missed, Outcome
from zll.platform.i18n import LANGUAGES, Catalogue, Language

TEXTS = Catalogue(
    {
        "de": {
            "placed": "Platz bei Ihrem {nth} Wunsch ({offer_id}); Ihr Rang dort: {rank}.",
            "unplaced": "Kein Platz in dieser Welle.",
            "full": "Bei Ihrem {nth} Wunsch ({offer_id}) ging der letzte Platz an Rang "
            "{cutoff}, Ihr Rang war {rank}.",
            "no-open-seats": "Ihr {nth} Wunsch ({offer_id}) hat keine offenen Plätze.",
            "reserved-member": "Von den für „{group}“ reservierten Plätzen dort ({seats}) ging "
            "der letzte an Rang {cutoff}.",
            "reserved-other": "Für „{group}“ reservierte Plätze dort: {seats}; Sie gehören "
            "nicht zu dieser Gruppe.",
            "not-acceptable": "Ihr {nth} Wunsch ({offer_id}) kann Sie nicht aufnehmen "
            "(nicht auf seiner Liste).",
            "withdrawn": "Ihren {nth} Wunsch ({offer_id}) haben Sie mit Ihrer Antwort "
            "(angenommen oder abgelehnt) aufgegeben.",
        },
        "en": {
            "placed": "Placed at your {nth} wish ({offer_id}); your rank there: {rank}.",
            "unplaced": "No place in this wave.",
            "full": "At your {nth} wish ({offer_id}) the last place went to priority rank "
            "{cutoff}, yours was {rank}.",
            "no-open-seats": "Your {nth} wish ({offer_id}) has no open places.",
            "reserved-member": "Of the places reserved there for {group!r} ({seats}), the last "
            "went to rank {cutoff}.",
            "reserved-other": "Places reserved there for {group!r}: {seats}; you are not in that "
            "group.",
            "not-acceptable": "Your {nth} wish ({offer_id}) cannot take you (not on its list).",
            "withdrawn": "You gave up your {nth} wish ({offer_id}) with your answer (accepted "
            "or declined).",
        },
    }
)


def ordinal(n: int, language: Language) -> str:
    if language == "de":
        return f"{n}."
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def explain(outcome: Outcome, language: Language) -> str:
    """Best wish first: each wish that did not come through, then the place (or none)."""
    lines = [_missed(outcome, m, language) for m in outcome.missed]
    if outcome.offer_id is None or outcome.wish is None:
        lines.append(TEXTS.render("unplaced", language, {}))
    else:
        lines.append(
            _say(
                "placed",
                language,
                nth=ordinal(outcome.wish, language),
                offer_id=outcome.offer_id,
                rank=outcome.rank,
            )
        )
    return " ".join(lines)


def explain_all(outcome: Outcome) -> dict[str, str]:
    return {language: explain(outcome, language) for language in LANGUAGES}


def _missed(outcome: Outcome, m: Missed, language: Language) -> str:
    nth = ordinal(m.wish, language)
    if m.withdrawn:
        return _say("withdrawn", language, nth=nth, offer_id=m.offer_id)
    if m.rank is None:
        return _say("not-acceptable", language, nth=nth, offer_id=m.offer_id)
    parts: list[str] = []
    for block in m.blocks:
        member = outcome.member(block)
        if block.group is None:
            if block.cutoff is None:
                parts.insert(0, _say("no-open-seats", language, nth=nth, offer_id=m.offer_id))
            else:
                parts.insert(
                    0,
                    _say(
                        "full",
                        language,
                        nth=nth,
                        offer_id=m.offer_id,
                        cutoff=block.cutoff,
                        rank=m.rank,
                    ),
                )
        elif member and block.cutoff is not None:
            parts.append(
                _say("reserved-member", language, seats=block.seats, group=block.group,
                     cutoff=block.cutoff)
            )  # fmt: skip
        elif not member and block.seats > 0:
            parts.append(_say("reserved-other", language, seats=block.seats, group=block.group))
    return " ".join(parts)


def _say(key: str, language: Language, **params: Any) -> str:
    return TEXTS.render(key, language, params)
