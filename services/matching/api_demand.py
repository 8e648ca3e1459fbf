"""Matching's HTTP API for regional demand: gaps by horizon, as JSON or as CSV for planners."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from services.matching import demand_service, store_demand
from services.matching.domain.demand import DemandLine, Horizon, covered, trend
from zll.platform.auth import Principal, current_principal
from zll.platform.database import Database, Db
from zll.platform.esco.vocabulary import vocabulary
from zll.platform.pagination import EXAMPLE_CURSOR, Page, PageRequest, pages

router = APIRouter(tags=["demand"])
Anyone = Annotated[Principal, Depends(current_principal)]
MONTHS = 6
COLUMNS = [
    "kind", "key", "label", "municipality", "horizon", "reported", "waitlisted", "unplaced",
    "demand", "supply", "gap", "trend",
]  # fmt: skip
_WELDING = "http://data.europa.eu/esco/skill/60ff3eac-7d4d-4e51-87b8-74c3b5d62498"


_ROW_EXAMPLE: dict[str, Any] = {
    "kind": "skill",
    "key": _WELDING,
    "label": "perform metal active gas welding",
    "municipality": "Lemgo",
    "horizon": "short",
    "reported": 14,
    "waitlisted": 6,
    "unplaced": 2,
    "demand": 22,
    "supply": 12,
    "gap": 10,
    "trend": "rising",
    "reported_by_month": [1, 1, 2, 3, 3, 4],
}


class DemandRow(BaseModel):
    """One skill or occupation: demand against supply within the horizon."""

    model_config = ConfigDict(json_schema_extra={"examples": [_ROW_EXAMPLE]})

    kind: Literal["skill", "occupation"]
    key: str = Field(description="ESCO skill or occupation URI.")
    label: str
    municipality: str | None
    horizon: Horizon
    reported: int
    waitlisted: int
    unplaced: int
    demand: int
    supply: int
    gap: int
    trend: Literal["rising", "falling", "steady"]
    reported_by_month: list[int] = Field(description="The last six calendar months, oldest first.")


class DemandPage(Page[DemandRow]):
    """Demand lines, largest gap first, one page; with the horizon and place asked for."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "horizon": "short",
                    "municipality": "Lemgo",
                    "items": [_ROW_EXAMPLE],
                    "next_cursor": EXAMPLE_CURSOR,
                }
            ]
        }
    )

    horizon: Horizon
    municipality: str | None


def _order(line: DemandLine) -> tuple[int, str]:
    return (-line.gap, line.key)


async def _rows(
    db: Database, horizon: Horizon, municipality: str | None, page: PageRequest | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The demand lines (a page of them, when asked for one) with their monthly history."""
    today = datetime.now(UTC).date()
    async with db.connection() as conn:
        lines = await demand_service.lines(conn, horizon, municipality, today)
        next_cursor = None
        if page is not None:
            # Computed per request from aggregates and sorted by _order: the keyset is that key.
            lines, next_cursor = page.window(lines, _order, int, str)
        monthly = await store_demand.monthly_reports(
            conn, covered(horizon), municipality, [line.key for line in lines], MONTHS
        )
    rows = [
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
    return rows, next_cursor


Town = Annotated[str | None, Query(max_length=120, description="Leave out for the region.")]


@router.get("/demand", response_model=DemandPage)
async def demand(
    db: Db,
    _: Anyone,
    page: Annotated[PageRequest, Depends(pages(default=100, maximum=500))],
    horizon: Horizon = Horizon.SHORT,
    municipality: Town = None,
) -> dict[str, Any]:
    """Demand against supply per skill and occupation, largest gap first.

    Horizons are cumulative (medium includes short). `reported_by_month` holds the last six
    calendar months of reported headcount, oldest first; `trend` compares their two halves.
    """
    rows, next_cursor = await _rows(db, horizon, municipality, page)
    return {
        "horizon": horizon.value,
        "municipality": municipality,
        "items": rows,
        "next_cursor": next_cursor,
    }


@router.get(
    "/demand/report",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"example": ",".join(COLUMNS) + "\n"}}}},
)
async def demand_report(
    db: Db, _: Anyone, horizon: Horizon = Horizon.SHORT, municipality: Town = None
) -> Response:
    """The same as CSV, for the region's planners: every line, one file."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows((await _rows(db, horizon, municipality, None))[0])
    town = re.sub(r"[^A-Za-z0-9-]+", "-", municipality or "region")
    name = f"zll-demand-{horizon.value}-{town}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
