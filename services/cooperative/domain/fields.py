"""A course's field for the report: the ESCO skill group its skills belong to. Plain Python.

ESCO's skills pillar has eight top-level skill groups (S1–S8), knowledge (K, by ISCED-F
field), language skills (L) and transversal skills (T). The vocabulary the region ships
(`zll.platform.esco`) has each skill's labels but not ESCO's hierarchy (the
broader-relations file is not in any package we can install), so the group is read offline
from the label: ESCO words skills as a verb and its object ("weld metal", "operate
forklift"), knowledge as a noun phrase ("welding techniques"). The leading verb decides
the skill group (software words first: "use spreadsheets software" is working with
computers); a noun phrase is knowledge, placed in its ISCED-F broad field by its words;
language names make a language skill. A label none of this recognises, a skill the
vocabulary does not know, or a course with no skill falls back to `OTHER`.

A course's field is the group most of its skills are in (ties: the group of the earliest
such skill), not its first skill: a course on welding with a safety module is constructing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

GROUPS = {
    "S1": "communication, collaboration and creativity",
    "S2": "information skills",
    "S3": "assisting and caring",
    "S4": "management skills",
    "S5": "working with computers",
    "S6": "handling and moving",
    "S7": "constructing",
    "S8": "working with machinery and specialised equipment",
    "K04": "knowledge: business, administration and law",
    "K06": "knowledge: information and communication technologies",
    "K07": "knowledge: engineering, manufacturing and construction",
    "K09": "knowledge: health and welfare",
    "K": "knowledge: other fields",
    "L": "language skills and knowledge",
}
OTHER = "other (no known ESCO skill)"

_VERBS = {
    "S1": "advise communicate liaise negotiate present promote teach train instruct educate "
    "write draft design create draw interact consult inform explain demonstrate collaborate "
    "translate guide engage respond show sell recommend encourage motivate persuade "
    "coach mentor facilitate compose perform express entertain contribute participate work "
    "think adapt",
    "S2": "analyse monitor inspect test evaluate assess check identify interpret measure "
    "calculate research study examine record document collect compile investigate observe "
    "review determine estimate forecast diagnose detect model define verify audit survey "
    "gather search classify compare validate keep select process understand",
    "S3": "assist support care treat protect help administer prescribe serve counsel provide "
    "nurse rehabilitate accompany feed groom comfort cook bake attend",
    "S4": "manage supervise plan coordinate organise oversee ensure implement lead direct "
    "control establish arrange comply enforce allocate schedule budget order delegate "
    "execute conduct develop approve recruit hire follow take",
    "S5": "program code configure digitise",
    "S6": "handle carry transfer load unload transport drive store position place move lift "
    "pack sort clean deliver dispose wash stack ship",
    "S7": "install build repair assemble lay construct erect fit weld paint cut make "
    "manufacture produce finish insulate plaster tile renovate mount prepare mix",
    "S8": "operate tend set adjust use calibrate maintain manipulate remove apply "
    "machine grind drill mill",
}


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VERB_GROUP = {verb: group for group, verbs in _VERBS.items() for verb in verbs.split()}
_SOFTWARE = _set(
    "software ict computer computers digital database databases spreadsheet spreadsheets "
    "programming online web internet e-mail email cloud cyber algorithms data"
)
_KNOWLEDGE = {
    "K06": _SOFTWARE | {"information", "networks", "telecommunications", "blockchain"},
    "K09": _set("medical clinical health nursing patient patients disease diseases anatomy "
                "pharmacology therapy care physiology medicine social welfare"),
    "K07": _set("manufacturing electrical engineering mechanical construction machine "
                "machinery welding metal materials electronics vehicle vehicles "
                "building mechanics"),
    "K04": _set("business legal law accounting finance financial marketing management tax "
                "economics insurance sales trade"),
}  # fmt: skip
_LANGUAGES = _set(
    "german english french spanish italian polish turkish arabic russian dutch ukrainian "
    "portuguese greek romanian czech chinese japanese latin"
)


def skill_group(label: str) -> str:
    """The group code (a key of `GROUPS`) of one ESCO skill or knowledge label."""
    words = label.lower().replace(",", " ").split()
    if not words:
        return OTHER
    if any(w in _LANGUAGES for w in words):
        return "L"
    verb = _VERB_GROUP.get(words[0])
    if verb is not None:
        return "S5" if any(w in _SOFTWARE for w in words) else verb
    for group, known in _KNOWLEDGE.items():
        if any(w in known for w in words):
            return group
    return "K"


def course_field(skills: Sequence[str], label: Callable[[str], str | None]) -> str:
    """The course's field: `"S7 constructing"`-style code and name of the group most of its
    skills belong to; `OTHER` when none is known. `label` gives a skill's ESCO label or None."""
    groups = [skill_group(text) for uri in skills if (text := label(uri))]
    known = [g for g in groups if g != OTHER]
    if not known:
        return OTHER
    counts = Counter(known)
    best = max(counts.values())
    code = next(g for g in known if counts[g] == best)
    return f"{code} {GROUPS[code]}"
