"""ESCO skills for imported courses that name none, inferred from their titles.

OpenVHS, open-Qcat and OOAPI carry no ESCO skills, yet search by skill, recommendations and
demand analysis all work on them. So each imported module gets the skills the region's ESCO
vocabulary (zll/platform/esco, the one matching resolves goals with) finds for its title, marked as
inferred (`skills_inferred`), so nobody takes them for the provider's own. Only a match on a
preferred label counts: a course the vocabulary cannot place keeps no skills rather than
wrong ones.
"""

from __future__ import annotations

from zll.platform.esco.vocabulary import vocabulary

MOST = 2  # a title names one or two things; more would be guesses
# zll.platform.esco.vocabulary scores 3 per preferred-label word, 1 per alternative-label word, less
# 0.1 per word of the label: 2.5 takes a word of a short preferred label, not alt words alone.
MIN_SCORE = 2.5


def inferred_skills(title: str) -> list[str]:
    """Up to two ESCO skill URIs whose preferred labels share a word with the title."""
    found = vocabulary().resolve(title, kind="skill", limit=MOST)
    return [match.uri for match in found if match.score >= MIN_SCORE]
