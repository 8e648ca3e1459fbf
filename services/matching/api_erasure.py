"""The learner's right to erasure: taken here, announced on `zll.learners.v1` to every service."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict
from zll_contracts.payloads import ErasureRequestedBy, LearnerErasureRequested

from services.matching import erasure
from services.matching.messages import MESSAGES
from zll.platform.auth import Principal, require_role
from zll.platform.database import Db
from zll.platform.problems import ProblemError

router = APIRouter(tags=["privacy"])


class ErasureAccepted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"learner_id": "lena", "requested_at": "2026-11-23T10:00:00Z", "status": "accepted"}
            ]
        }
    )

    learner_id: str
    requested_at: datetime
    status: str = "accepted"


@router.post("/learners/{learner_id}/erasure", status_code=202, response_model=ErasureAccepted)
async def request_erasure(
    db: Db,  # The contract's OpaqueId: a DEL (\x7f) here would fail only when the event is built.
    learner_id: Annotated[
        str, Path(min_length=1, max_length=128, pattern=r"^[^\s\x00-\x1f\x7f]+$")
    ],
    principal: Annotated[Principal, Depends(require_role("learner", "operator"))],
) -> ErasureAccepted:
    """Erase this learner's personal data in every service. The learner themself, or an
    operator on their behalf. Each service acts on the announcement (202: accepted, not done)."""
    if principal.role == "learner" and principal.sub != learner_id:
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("own-erasure-only"))
    asked = LearnerErasureRequested(
        learner_id=learner_id,
        requested_at=datetime.now(UTC),
        requested_by=ErasureRequestedBy(principal.role),
    )
    async with db.unit_of_work() as uow:
        await erasure.record_request(uow.conn, asked)
        uow.publish(asked, key=learner_id)
    return ErasureAccepted(learner_id=learner_id, requested_at=asked.requested_at)
