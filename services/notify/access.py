"""Who may see and change whose notifications: the owner, and staff where allowed.

Both the inbox routes (api.py) and the live-stream routes (api_stream.py) ask this module.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path

from services.notify.domain import Recipient
from services.notify.messages import MESSAGES
from zll.platform.auth import Principal, current_principal
from zll.platform.i18n import Language, request_language
from zll.platform.problems import ProblemError

LearnerId = Annotated[str, Path(pattern=r"^[^\s\x00-\x1f\x7f]{1,128}$")]
PartnerId = Annotated[str, Path(pattern=r"^[a-z0-9-]{2,40}$", description="e.g. vhs-kassel")]
Caller = Annotated[Principal, Depends(current_principal)]
Lang = Annotated[Language, Depends(request_language)]

# Who may read (and, in the second set, change) whose data, besides the owner.
_STAFF_READ = {"learner": {"counsellor", "operator"}, "partner": {"operator"}}
_OWNER_ROLES = {"learner": {"learner"}, "partner": {"provider", "employer"}}


def admit(caller: Principal, who: Recipient, *, staff: bool) -> None:
    """Owners always; staff (counsellors for learners, operators) only where `staff` is true."""
    if caller.role in _OWNER_ROLES[who.kind] and caller.sub == who.id:
        return
    if staff and caller.role in _STAFF_READ[who.kind]:
        return
    raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("forbidden.not-yours", who=named(who)))


def named(who: Recipient) -> Any:
    """The recipient in words, for a problem document."""
    return MESSAGES(f"who.{who.kind}", id=who.id)
