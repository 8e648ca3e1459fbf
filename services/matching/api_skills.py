"""Matching's HTTP API for ESCO names: what a skill URI is called, for the portal and partners.

Matching holds the ESCO vocabulary (zll/platform/esco/esco_vocabulary.tsv.gz) for resolving
goals and explaining recommendations; the portal asks it for the names of a course's skills
so no page shows a bare URI. The vocabulary shipped is ESCO's English one: each name says
its language, so a page can mark it (`lang="en"`) inside German text.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from zll.platform.esco.vocabulary import vocabulary

router = APIRouter(tags=["skills"])
MAX_URIS = 100
_EXAMPLE_URI = "http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be"


class SkillName(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"label": "use spreadsheets", "language": "en"}]}
    )

    label: str = Field(description="ESCO's preferred label.")
    language: str = Field(description="The label's language (BCP 47), e.g. en.")


class SkillNames(BaseModel):
    """Names by URI; a URI ESCO does not know is left out (the page then shows it as a link)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"names": {_EXAMPLE_URI: {"label": "use spreadsheets", "language": "en"}}}]
        }
    )

    names: dict[str, SkillName]


@router.get("/skills/names", response_model=SkillNames)
async def skill_names(
    uri: Annotated[
        list[str],
        Query(min_length=1, max_length=MAX_URIS, description="ESCO skill or occupation URIs."),
    ],
) -> SkillNames:
    """The names of up to 100 ESCO concepts, for showing them instead of their URIs."""
    known = vocabulary()
    return SkillNames(
        names={u: SkillName(label=known.label(u), language="en") for u in uri if known.known(u)}
    )
