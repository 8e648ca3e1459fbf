"""Matching's HTTP API for counselling: learner profiles and recommendations."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from zll_contracts.payloads.common import EscoOccupationUri, EscoSkillUri, LanguageCode
from zll_contracts.payloads.courses import TargetGroup

from services.matching import store_counselling, store_credits
from services.matching.config import matching_settings
from services.matching.domain.counselling import CourseOffer, Profile, best, suitable
from services.matching.domain.opportunities import fitting
from services.matching.domain.pathways import Credit, credits_for, pathway_of, reduced_prices
from services.matching.messages import MESSAGES
from services.matching.schemas import (
    PROFILE_EXAMPLE,
    PROFILE_IN_EXAMPLE,
    RECOMMENDATIONS_EXAMPLE,
    example,
)
from zll.platform.auth import Principal, require_role
from zll.platform.database import Database, Db
from zll.platform.db import Connection
from zll.platform.esco.vocabulary import vocabulary
from zll.platform.geography import locate
from zll.platform.problems import ProblemError

router = APIRouter(tags=["counselling"])
LearnerOrCounsellor = Annotated[Principal, Depends(require_role("learner", "counsellor"))]


class Goal(BaseModel):
    occupation: EscoOccupationUri | None = None
    skills: list[EscoSkillUri] = Field(default_factory=list, max_length=200)
    text: str | None = Field(
        default=None, max_length=500, description='Free text, e.g. "Buchhaltung" or "welding".'
    )


class ProfileIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PROFILE_IN_EXAMPLE]})

    goal: Goal
    held_skills: list[EscoSkillUri] = Field(default_factory=list, max_length=500)
    municipality: str | None = Field(default=None, max_length=120, examples=["Baunatal"])
    travel_km: float | None = Field(default=None, ge=0, le=1000)
    formats: list[Literal["onsite", "online", "blended"]] = Field(default_factory=list)
    budget_eur: float | None = Field(default=None, ge=0)
    languages: list[LanguageCode] = Field(default_factory=list, max_length=20)
    times_of_day: list[Literal["morning", "afternoon", "evening"]] = Field(default_factory=list)
    life_phase: TargetGroup | None = None
    funding: list[str] = Field(
        default_factory=list, max_length=20, examples=[["bildungsgutschein"]]
    )


def _labelled(uris: Any) -> list[dict[str, str]]:
    return [{"uri": uri, "label": vocabulary().label(uri)} for uri in sorted(uris)]


def _check(learner_id: str, principal: Principal) -> None:
    if principal.role == "learner" and principal.sub != learner_id:
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("own-profile-only"))


def _unknown_uris(profile: ProfileIn) -> list[dict[str, str]]:
    known = vocabulary().known
    errors = [
        {"field": f"{where}.{i}", "message": f"{uri} is not in the ESCO vocabulary"}
        for where, uris in (
            ("goal.skills", profile.goal.skills),
            ("held_skills", profile.held_skills),
        )
        for i, uri in enumerate(uris)
        if not known(uri)
    ]
    if profile.goal.occupation and not known(profile.goal.occupation):
        errors.append({"field": "goal.occupation", "message": "not in the ESCO vocabulary"})
    if (
        profile.municipality
        and profile.travel_km is not None
        and locate(profile.municipality) is None
    ):
        errors.append({"field": "municipality", "message": "unknown town or postcode in Germany"})
    return errors


def goal_skills(goal: Goal) -> list[str]:
    """The goal's skills: given ones, plus those the free text and the occupation resolve to."""
    v = vocabulary()
    skills = set(goal.skills)
    if goal.text:
        skills |= {m.uri for m in v.resolve(goal.text, kind="skill")}
    if goal.occupation:
        skills |= {m.uri for m in v.resolve(v.label(goal.occupation), kind="skill")}
    return sorted(skills)


@router.put("/learners/{learner_id}/profile", responses=example(PROFILE_EXAMPLE))
async def put_profile(
    db: Db, learner_id: str, body: ProfileIn, principal: LearnerOrCounsellor
) -> dict[str, Any]:
    """Set a learner's goal and constraints. The learner themself or a counsellor."""
    _check(learner_id, principal)
    errors = _unknown_uris(body)
    if errors:
        raise ProblemError(
            422, MESSAGES("profile-refused"), MESSAGES("profile-refused.detail"), errors=errors
        )
    resolved = goal_skills(body.goal)
    if not resolved:
        raise ProblemError(
            422,
            MESSAGES("goal-not-understood"),
            MESSAGES("goal-not-understood.detail"),
            errors=[{"field": "goal", "message": MESSAGES("goal-not-understood.field")}],
        )
    stored = body.model_dump(mode="json") | {"goal_skills": resolved}
    async with db.connection() as conn:
        await store_counselling.save_profile(conn, learner_id, stored)
    return _profile_out(learner_id, stored, [])


def _profile_out(learner_id: str, stored: dict[str, Any], earned: list[str]) -> dict[str, Any]:
    return stored | {
        "learner_id": learner_id,
        "goal_skills": _labelled(stored["goal_skills"]),
        "held_skills": _labelled(set(stored["held_skills"]) | set(earned)),
        "earned_skills": _labelled(earned),
    }


async def _load(db: Database, learner_id: str) -> tuple[dict[str, Any], list[str]]:
    async with db.connection() as conn:
        stored = await store_counselling.get_profile(conn, learner_id)
        earned = await store_counselling.earned_skills(conn, learner_id)
    if stored is None:
        raise ProblemError(
            404, MESSAGES("no-profile"), MESSAGES("no-profile.detail", learner_id=learner_id)
        )
    return stored, earned


@router.get("/learners/{learner_id}/profile", responses=example(PROFILE_EXAMPLE))
async def get_profile(learner_id: str, db: Db, principal: LearnerOrCounsellor) -> dict[str, Any]:
    _check(learner_id, principal)
    stored, earned = await _load(db, learner_id)
    return _profile_out(learner_id, stored, earned)


def to_profile(stored: dict[str, Any], earned: list[str]) -> Profile:
    return Profile(
        goal_skills=frozenset(stored["goal_skills"]),
        held_skills=frozenset(stored["held_skills"]) | frozenset(earned),
        municipality=stored.get("municipality"),
        travel_km=stored.get("travel_km"),
        formats=frozenset(stored.get("formats") or ()),
        budget_eur=stored.get("budget_eur"),
        languages=frozenset(stored.get("languages") or ()),
        times_of_day=frozenset(stored.get("times_of_day") or ()),
        life_phase=stored.get("life_phase"),
        funding=frozenset(stored.get("funding") or ()),
    )


async def _credits(
    conn: Connection, learner_id: str, courses: list[CourseOffer], today: date
) -> dict[str, tuple[Credit, ...]] | None:
    """Per course, the modules the learner need not take; None without a record."""
    achievements = await store_credits.achievements_of(conn, learner_id)
    decided = await store_credits.decided_for(conn, learner_id)
    if not achievements and not decided:
        return None
    rules = await store_credits.declarations_for(conn, [c.course_id for c in courses])
    return {
        course.course_id: found
        for course in courses
        if (
            found := credits_for(
                course,
                rules.get(course.course_id, ()),
                achievements,
                decided.get(course.course_id),
                today,
            )
        )
    }


@router.get("/learners/{learner_id}/recommendations", responses=example(RECOMMENDATIONS_EXAMPLE))
async def recommendations(
    db: Db, learner_id: str, principal: LearnerOrCounsellor
) -> dict[str, Any]:
    """Courses closing the gap, a pathway across providers, and fitting opportunities."""
    _check(learner_id, principal)
    stored, earned = await _load(db, learner_id)
    profile = to_profile(stored, earned)
    today = datetime.now(UTC).date()
    async with db.connection() as conn:
        has_record = await store_credits.has_record(conn, learner_id)
        # With a record, a course over budget may fit once recognised modules are left out:
        # the query lets it through and the domain decides on the reduced price.
        query = replace(profile, budget_eur=None) if has_record else profile
        courses = await store_counselling.live_courses_for(conn, query, today)
        credits = await _credits(conn, learner_id, courses, today) if has_record else None
        openings = await store_counselling.live_opportunities(
            conn, sorted(profile.goal_skills | profile.held_skills)
        )
    label = vocabulary().label
    fit = suitable(profile, courses, today, reduced_prices(credits or {}, courses))
    path = pathway_of(profile, fit, credits)
    return {
        "learner_id": learner_id,
        "goal_skills": _labelled(profile.goal_skills),
        "held_skills": _labelled(profile.held_skills),
        "gap": _labelled(profile.gap),
        "courses": [
            asdict(r) for r in best(profile, fit, label, matching_settings().recommendations_limit)
        ],
        "pathway": asdict(path),
        "opportunities": [
            asdict(f) for f in fitting(profile, openings, today, label, frozenset(path.covers))
        ],
    }
