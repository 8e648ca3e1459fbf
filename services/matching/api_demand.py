"""Matching's HTTP API for regional demand: gaps by horizon, as JSON or as CSV for planners."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.matching import demand_service, store_demand
from services.matching.demand import Horizon, covered, trend
from services.matching.vocabulary import vocabulary
from zll.platform.auth import Principal, current_principal

router = APIRouter(tags=["demand"])
Anyone = Annotated[Principal, Depends(current_principal)]
MONTHS = 6
COLUMNS = [
    "kind", "key", "label", "municipality", "horizon", "reported", "waitlisted", "unplaced",
    "demand", "supply", "gap", "trend",
]  # fmt: skip


async def _rows(
    request: Request, horizon: Horizon, municipality: str | None
) -> list[dict[str, Any]]:
    today = datetime.now(UTC).date()
    async with request.app.state.pool.acquire() as conn:
        lines = await demand_service.lines(conn, horizon, municipality, today)
        monthly = await store_demand.monthly_reports(
            conn, covered(horizon), municipality, [line.key for line in lines], MONTHS
        )
    return [
        {
            "kind": line.kind,
            "key": line.key,
            "label": vocabulary().label(line.key),
            "municipality": municipality,
            "horizon": horizon.value,
            "reported": line.reported,
            "waitlisted": line.waitlisted,
            "unplaced": line.unplaced,
            "demand": line.demand,
            "supply": line.supply,
            "gap": line.gap,
            "trend": trend(monthly.get(line.key, [0] * MONTHS)),
            "reported_by_month": monthly.get(line.key, [0] * MONTHS),
        }
        for line in lines
    ]


Town = Annotated[str | None, Query(max_length=120, description="Leave out for the region.")]


@router.get("/demand")
async def demand(
    request: Request, _: Anyone, horizon: Horizon = Horizon.SHORT, municipality: Town = None
) -> dict[str, Any]:
    """Demand against supply per skill and occupation, largest gap first.

    Horizons are cumulative (medium includes short). `reported_by_month` holds the last six
    calendar months of reported headcount, oldest first; `trend` compares their two halves.
    """
    rows = await _rows(request, horizon, municipality)
    return {"horizon": horizon.value, "municipality": municipality, "items": rows}


@router.get("/demand/report", response_class=Response)
async def demand_report(
    request: Request, _: Anyone, horizon: Horizon = Horizon.SHORT, municipality: Town = None
) -> Response:
    """The same as CSV, for the region's planners."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(await _rows(request, horizon, municipality))
    town = re.sub(r"[^A-Za-z0-9-]+", "-", municipality or "region")
    name = f"zll-demand-{horizon.value}-{town}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
