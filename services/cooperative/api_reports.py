"""The region's education report (Bildungsmonitoring) as JSON and CSV, small cells suppressed."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.cooperative import store, store_projects, store_report
from services.cooperative.domain import report
from services.cooperative.domain.report import Cell, Period, published, suppress
from services.cooperative.messages import refused
from services.cooperative.schemas_out import Report
from zll.platform.database import Db
from zll.platform.db import Connection
from zll.platform.errors import Refused

router = APIRouter(tags=["report"])
COLUMNS = [
    "period", "level", "life_phase", "municipality", "field", "courses", "seats",
    "participants", "waitlisted", "waitlist_pressure", "completions", "certificates",
    "suppressed",
]  # fmt: skip
PeriodName = Annotated[
    str | None,
    Query(max_length=10, description="A year (2026), quarter (2026-Q1) or month (2026-03)."),
]
LEVELS = {0: "cell", 3: "life-phase", 5: "municipality", 7: "region"}
HOW = (
    "Every count of learners (participants, waitlisted, completions, certificates) from 1 to 4 "
    "is published as null and its row marked suppressed: no published figure describes fewer "
    "than five learners. Where a total (by life phase, by municipality, the region) would then "
    "have exactly one hidden part, the next smallest part is hidden too, until no total has "
    "exactly one, so no hidden count follows from a total by subtraction. Courses and seats "
    "describe no learner and are always published."
)


def _period(name: str) -> Period:
    try:
        return report.period(name)
    except Refused as error:
        raise refused(error, 422) from None


def _raw(row: dict[str, Any]) -> Cell:
    return Cell(
        row["life_phase"] or "", row["municipality"] or "", row["field"] or "", row["courses"],
        row["seats"], row["participants"], row["waitlisted"], row["completions"],
        row["certificates"],
    )  # fmt: skip


def _out(level: str, cell: Cell) -> dict[str, Any]:
    out = asdict(cell) | {"level": level, "waitlist_pressure": cell.waitlist_pressure}
    for key in ("life_phase", "municipality", "field"):
        out[key] = out[key] or None
    return out


def _cell(row: dict[str, Any]) -> dict[str, Any]:
    """A figure published on its own (an earlier period's region): primary suppression."""
    return _out(LEVELS[row["level"]], suppress(_raw(row)))


async def _figures(conn: Connection, p: Period) -> dict[str, Any]:
    await store.regroup_old_fields(conn)
    table = [(LEVELS[r["level"]], _raw(r)) for r in await store_report.cells(conn, p.start, p.end)]
    hidden = report.suppress_table(table)
    rows = [_out(level, cell) for (level, _), cell in zip(table, hidden, strict=True)]
    region = next((r for r in rows if r["level"] == "region"), None)
    return {"rows": rows, "region": region}


def _in(p: Period, at: datetime | None) -> bool:
    return at is not None and p.start <= at.date() <= p.end


def _gaps(p: Period, gaps: list[dict[str, Any]]) -> dict[str, Any]:
    opened = [g for g in gaps if _in(p, g["detected_at"])]
    closed = [g for g in gaps if _in(p, g["closed_at"])]
    months: dict[str, dict[str, int]] = {}
    for kind, items, key in (("opened", opened, "detected_at"), ("closed", closed, "closed_at")):
        for g in items:
            month = g[key].strftime("%Y-%m")
            months.setdefault(month, {"opened": 0, "closed": 0})[kind] += 1
    still_open = sum(1 for g in gaps if g["closed_at"] is None or g["closed_at"].date() > p.end)
    return {
        "opened": len(opened), "closed": len(closed), "open_at_end": still_open,
        "timeline": [{"month": m, **v} for m, v in sorted(months.items())],
        "items": [{"municipality": g["municipality"], "skill": g["skill"], "gap": g["gap"],
                   "detected_at": g["detected_at"].isoformat(), "call_id": g["call_id"],
                   "closed_at": g["closed_at"].isoformat() if g["closed_at"] else None}
                  for g in opened],
    }  # fmt: skip


async def _projects(conn: Connection) -> list[dict[str, Any]]:
    projects = await store_projects.projects(conn)
    outcome = await store_projects.outcome(conn, [p["project_id"] for p in projects])
    out = []
    for p in projects:
        rows = [r for r in outcome if r["project_id"] == p["project_id"]]
        total = {k: sum(int(r[k]) for r in rows) for k in
                 ("courses", "seats", "participants", "completions", "certificates")}  # fmt: skip
        for key in ("participants", "completions", "certificates"):
            total[key] = published(total[key])  # type: ignore[assignment]
        out.append({"project_id": p["project_id"], "title": p["title"], "state": p["state"],
                    **total})  # fmt: skip
    return out


async def education(conn: Connection, p: Period, compare: int) -> dict[str, Any]:
    """The whole report of one period, with `compare` earlier periods for the trends."""
    figures = await _figures(conn, p)
    gaps = await store_report.gaps(conn, p.end)
    earlier = []
    for before in report.history(p, compare):
        region = _cell(await store_report.region(conn, before.start, before.end))
        earlier.append({"period": before.name, **{k: region.get(k) for k in _TREND},
                        "gaps_opened": _gaps(before, gaps)["opened"]})  # fmt: skip
    now = figures["region"] or {}
    gap_figures = _gaps(p, gaps)
    trends = {k: report.trend(now.get(k, 0), [e[k] for e in earlier]) for k in _TREND}
    return {
        "period": p.name, "start": p.start.isoformat(), "end": p.end.isoformat(),
        "suppression": {"smallest": report.SMALLEST, "how": HOW},
        "region": now or None,
        "by_life_phase": [r for r in figures["rows"] if r["level"] == "life-phase"],
        "by_municipality": [r for r in figures["rows"] if r["level"] == "municipality"],
        "cells": [r for r in figures["rows"] if r["level"] == "cell"],
        "gaps": gap_figures, "projects": await _projects(conn),
        "trends": {"earlier": earlier, "direction": trends},
    }  # fmt: skip


_TREND = ("courses", "seats", "participants", "completions", "certificates")


@router.get("/reports/education", response_model=Report)
async def education_report(
    db: Db,
    period: PeriodName = None,
    compare: Annotated[int, Query(ge=0, le=5)] = 2,
) -> dict[str, Any]:
    """The region's education report for one period: offer by life phase × municipality ×
    field, seats, participation, waitlist pressure, completions, certificates, gaps opened and
    closed, joint projects and their outcomes, trends against earlier periods. Public: counts
    that would describe fewer than five learners are null (see `suppression`)."""
    p = _period(period or str(date.today().year))
    async with db.connection() as conn:
        return await education(conn, p, compare)


@router.get(
    "/reports/education.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"example": ",".join(COLUMNS) + "\n"}}}},
)
async def education_csv(db: Db, period: PeriodName = None) -> Response:
    """The report's rows as CSV with stable columns (cells, then totals by life phase, by
    municipality and for the region); suppressed counts are empty."""
    p = _period(period or str(date.today().year))
    async with db.connection() as conn:
        rows = (await _figures(conn, p))["rows"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    order = {"cell": 0, "life-phase": 1, "municipality": 2, "region": 3}
    for row in sorted(rows, key=lambda r: order[r["level"]]):
        writer.writerow({**row, "period": p.name, "suppressed": str(row["suppressed"]).lower()})
    return Response(
        out.getvalue(), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="zll-education-{p.name}.csv"'},
    )  # fmt: skip
