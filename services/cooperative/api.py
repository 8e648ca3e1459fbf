"""The cooperative's HTTP API: members, gaps, calls, consortium proposals and projects."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import uuid4

from fastapi import APIRouter, Depends, status
from zll_contracts.payloads import (
    Answer,
    ProjectMemberAnswered,
    ProjectMemberInvited,
    ProjectPart,
    ProjectState,
    ProjectStateChanged,
)
from zll_contracts.payloads.common import ProviderId

from services.cooperative import store_projects as store
from services.cooperative.domain import consortium, projects
from services.cooperative.messages import MESSAGES, not_found, refused
from services.cooperative.schemas import (
    AnswerIn,
    CallFromGap,
    CallIn,
    MemberIn,
    MemberOut,
    ProjectIn,
    StateIn,
)
from services.cooperative.schemas_out import CallOut, GapPage, ProjectOut, ProposalsOut
from zll.platform.auth import Principal, require_role
from zll.platform.database import Db
from zll.platform.db import Connection
from zll.platform.errors import Refused
from zll.platform.pagination import Page, PageRequest, pages
from zll.platform.problems import ProblemError
from zll.platform.unit_of_work import UnitOfWork

router = APIRouter()
Operator = Annotated[Principal, Depends(require_role("operator"))]
Member = Annotated[Principal, Depends(require_role("operator", "provider"))]


@router.put("/members/{provider_id}", response_model=MemberOut, tags=["members"])
async def register_member(db: Db, provider_id: ProviderId, body: MemberIn, _: Operator) -> Any:
    """Register a member of the cooperative (or change its name, kind, municipality)."""
    async with db.connection() as conn:
        await store.upsert_member(conn, provider_id, body.name, body.kind, body.municipality)
    return {"provider_id": provider_id, **body.model_dump()}


class MemberPage(Page[MemberOut]):
    """The cooperative's members by id."""


Pages = Annotated[PageRequest, Depends(pages(default=100, maximum=500))]


@router.get("/members", response_model=MemberPage, tags=["members"])
async def list_members(db: Db, _: Member, page: Pages) -> Any:
    async with db.connection() as conn:
        found = [
            {k: r[k] for k in ("provider_id", "name", "kind", "municipality")}
            for r in await store.members(conn)
        ]
    items, next_cursor = page.window(found, lambda m: (m["provider_id"],), str)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/gaps", response_model=GapPage, tags=["calls"])
async def list_gaps(db: Db, _: Operator, page: Pages) -> Any:
    """Gaps matching detected, newest first; `call_id` once a call was opened from one."""
    async with db.connection() as conn:
        found = [dict(r) for r in await store.gaps(conn)]
    items, next_cursor = page.window(found, lambda g: (-g["gap_id"],), int)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/gaps/{gap_id}/call",
    status_code=status.HTTP_201_CREATED,
    response_model=CallOut,
    tags=["calls"],
)
async def open_call_from_gap(db: Db, gap_id: str, body: CallFromGap, who: Operator) -> Any:
    """The operator confirms a detected gap: it becomes a call for its skill and place."""
    if not gap_id.isdigit() or len(gap_id) > 18:
        raise not_found("gap-not-found", gap_id=gap_id)
    async with db.unit_of_work() as uow:
        gap = await store.gap(uow.conn, int(gap_id))
        if gap is None:
            raise not_found("gap-not-found", gap_id=gap_id)
        if gap["skill"] is None:
            raise ProblemError(422, MESSAGES("refused"),
                               MESSAGES("gap-without-skill.detail", gap_id=gap_id))  # fmt: skip
        if gap["call_id"] is not None:
            detail = MESSAGES("gap-has-call.detail", gap_id=gap_id, call_id=gap["call_id"])
            raise ProblemError(409, MESSAGES("refused"), detail)
        title = body.title or f"Lücke {gap['municipality']}: {gap['gap']} Personen"
        call = CallIn(
            title=title, skills=[gap["skill"]], municipalities=[gap["municipality"]],
            target_groups=body.target_groups, starts_on=body.starts_on, ends_on=body.ends_on,
            min_members=body.min_members, chamber_required=body.chamber_required,
        )  # fmt: skip
        return await _open(uow.conn, call, who, int(gap_id))


@router.post("/calls", status_code=status.HTTP_201_CREATED, response_model=CallOut, tags=["calls"])
async def open_call(db: Db, body: CallIn, who: Operator) -> Any:
    """Open a call: what a funding programme or the region needs, and its rules."""
    async with db.unit_of_work() as uow:
        return await _open(uow.conn, body, who, None)


async def _open(conn: Connection, body: CallIn, who: Principal, gap_id: int | None) -> Any:
    call = body.model_dump(mode="json") | {
        "call_id": f"call-{uuid4().hex[:12]}", "gap_id": gap_id, "opened_by": who.sub,
        "starts_on": body.starts_on, "ends_on": body.ends_on, "budget_eur": body.budget_eur,
    }  # fmt: skip
    await store.save_call(conn, call)
    return _call_out(dict(call))


def _call_out(call: dict[str, Any]) -> dict[str, Any]:
    call = {k: v for k, v in call.items() if k != "opened_at"}
    for key in ("starts_on", "ends_on"):
        call[key] = str(call[key])
    if call.get("budget_eur") is not None:
        call["budget_eur"] = float(call["budget_eur"])
    return call


@router.get("/calls/{call_id}", response_model=CallOut, tags=["calls"])
async def get_call(db: Db, call_id: str, _: Member) -> Any:
    async with db.connection() as conn:
        return _call_out(dict(await _call(conn, call_id)))


async def _call(conn: Connection, call_id: str) -> Any:
    found = None if "\x00" in call_id else await store.call(conn, call_id)
    if found is None:
        raise not_found("call-not-found", call_id=call_id)
    return found


def _domain_call(row: Any) -> consortium.Call:
    return consortium.Call(
        tuple(row["skills"]), tuple(row["municipalities"]), tuple(row["target_groups"]),
        row["min_members"], row["chamber_required"],
    )  # fmt: skip


async def _proposals(conn: Connection, call_id: str) -> consortium.Proposals:
    row = await _call(conn, call_id)
    call = _domain_call(row)
    offers = await store.offers(conn, call.skills, call.municipalities)
    return consortium.propose(call, offers, await store.kinds(conn))


@router.get("/calls/{call_id}/proposals", response_model=ProposalsOut, tags=["calls"])
async def proposals(db: Db, call_id: str, _: Member) -> dict[str, Any]:
    """Consortia that together cover the call from what each member actually offered:
    who covers what and where, what nobody covers, the rules, and why each member."""
    async with db.connection() as conn:
        found = await _proposals(conn, call_id)
    return {"call_id": call_id, **asdict(found)}


def _parts(role: consortium.Role, call: consortium.Call) -> list[ProjectPart]:
    groups = list(call.target_groups)
    return [
        ProjectPart(skill=n.value, municipality=n.municipality, target_groups=groups)
        for n in role.covers if n.kind == "skill"
    ]  # fmt: skip


@router.post(
    "/calls/{call_id}/projects",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectOut,
    tags=["projects"],
)
async def start_project(db: Db, call_id: str, body: ProjectIn, who: Operator) -> Any:
    """A project for the call (state `idea`); the chosen members (by default the first
    proposal's) are invited through notify: inbox, e-mail, webhook."""
    project_id = f"proj-{uuid4().hex[:12]}"
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        found = await _proposals(uow.conn, call_id)
        call = _domain_call(await _call(uow.conn, call_id))
        roles = {r.provider_id: r for p in found.proposals for r in p.members}
        chosen = body.members if body.members is not None else (
            list(found.proposals[0].provider_ids) if found.proposals else [])  # fmt: skip
        await store.create_project(uow.conn, project_id, call_id, body.title)
        await _record(uow, project_id, call_id, body.title, None, ProjectState.IDEA, who, now)
        for pid in chosen:
            role = roles.get(pid)
            parts = _parts(role, call) if role else []
            reasons = [r.text_de for r in role.reasons] if role else ["Vom Betrieb ausgewählt."]
            await store.invite(uow.conn, project_id, pid,
                               [p.model_dump(mode="json") for p in parts], reasons)  # fmt: skip
            uow.publish(ProjectMemberInvited(
                project_id=project_id, call_id=call_id, title=body.title, provider_id=pid,
                parts=parts, reasons=reasons, invited_by=who.sub, invited_at=now,
            ), key=project_id)  # fmt: skip
    return await get_project(db, project_id, who)


async def _record(uow: UnitOfWork, project_id: str, call_id: str, title: str,
                  was: ProjectState | None, to: ProjectState, who: Principal,
                  at: datetime) -> None:  # fmt: skip
    await store.change_state(uow.conn, project_id, was, to, who.sub, at)
    joined = [r["provider_id"] for r in await store.project_members(uow.conn, project_id)
              if r["status"] == "joined"]  # fmt: skip
    uow.publish(ProjectStateChanged(
        project_id=project_id, call_id=call_id, title=title, from_state=was, state=to,
        members=joined, changed_by=who.sub, changed_at=at,
    ), key=project_id)  # fmt: skip


async def _project(conn: Connection, project_id: str, *, lock: bool = False) -> Any:
    found = None if "\x00" in project_id else await store.project(conn, project_id, lock=lock)
    if found is None:
        raise not_found("project-not-found", project_id=project_id)
    return found


@router.post("/projects/{project_id}/answers", response_model=ProjectOut, tags=["projects"])
async def answer(db: Db, project_id: str, body: AnswerIn, who: Member) -> Any:
    """An invited member joins (with the part it takes) or declines."""
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        project = await _project(uow.conn, project_id, lock=True)
        if who.role == "provider" and who.sub != body.provider_id:
            detail = MESSAGES("other-provider.detail", provider_id=body.provider_id)
            raise ProblemError(403, MESSAGES("refused"), detail)
        invited = {r["provider_id"]: r for r in await store.project_members(uow.conn, project_id)}
        try:
            projects.answer_allowed(ProjectState(project["state"]), body.provider_id in invited,
                                    body.answer)  # fmt: skip
        except Refused as error:
            raise refused(error) from None
        joining = body.answer is Answer.JOIN
        parts = body.parts if body.parts is not None else (
            [ProjectPart.model_validate(p) for p in _json(invited[body.provider_id]["parts"])]
            if joining else [])  # fmt: skip
        await store.answer(uow.conn, project_id, body.provider_id,
                           "joined" if joining else "declined",
                           [p.model_dump(mode="json") for p in parts], now)  # fmt: skip
        uow.publish(ProjectMemberAnswered(
            project_id=project_id, provider_id=body.provider_id, answer=body.answer,
            parts=parts if joining else [], answered_by=who.sub, answered_at=now,
        ), key=project_id)  # fmt: skip
    return await get_project(db, project_id, who)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


@router.post("/projects/{project_id}/state", response_model=ProjectOut, tags=["projects"])
async def change_state(db: Db, project_id: str, body: StateIn, who: Operator) -> Any:
    """Move the project on: idea → consortium → submitted → granted/refused → running →
    reported; each change is an event with who made it."""
    async with db.unit_of_work() as uow:
        project = await _project(uow.conn, project_id, lock=True)
        members = await store.project_members(uow.conn, project_id)
        joined = sum(1 for m in members if m["status"] == "joined")
        was = ProjectState(project["state"])
        try:
            to = projects.move(was, body.state, joined)
        except Refused as error:
            raise refused(error) from None
        await _record(uow, project_id, project["call_id"], project["title"], was, to, who,
                      datetime.now(UTC))  # fmt: skip
    return await get_project(db, project_id, who)


@router.get("/projects/{project_id}", response_model=ProjectOut, tags=["projects"])
async def get_project(db: Db, project_id: str, _: Member) -> dict[str, Any]:
    """The project with its members, its history and its outcome, counted from the courses
    linked to it and their enrolments and certificates."""
    async with db.connection() as conn:
        project = await _project(conn, project_id)
        members = await store.project_members(conn, project_id)
        history = await store.history(conn, project_id)
        outcome = await store.outcome(conn, [project_id])
    return {
        "project_id": project_id, "call_id": project["call_id"], "title": project["title"],
        "state": project["state"],
        "members": [{"provider_id": m["provider_id"], "status": m["status"],
                     "parts": _json(m["parts"]), "reasons": _json(m["reasons"])}
                    for m in members],
        "history": [{"from_state": h["from_state"], "state": h["to_state"],
                     "changed_by": h["changed_by"], "changed_at": h["changed_at"].isoformat()}
                    for h in history],
        "outcome": _outcome(outcome),
    }  # fmt: skip


def _outcome(rows: list[Any]) -> dict[str, Any]:
    keys = ("courses", "seats", "participants", "completions", "certificates")
    total = {k: sum(int(r[k]) for r in rows) for k in keys}
    by = [{"provider_id": r["provider_id"], "municipality": r["municipality"],
           **{k: int(r[k]) for k in keys}} for r in rows]  # fmt: skip
    return {**total, "by_member_and_municipality": by}
