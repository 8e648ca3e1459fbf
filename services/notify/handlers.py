"""What notify does with each event it consumes; HANDLERS is the whole flow."""

from __future__ import annotations

from zll_contracts.payloads import FeedbackRejected

from services.notify import store
from zll.platform.consumer import Handler, Message
from zll.platform.unit_of_work import UnitOfWork


async def tell_partner_of_refusal(uow: UnitOfWork, message: Message) -> None:
    feedback = message.payload
    assert isinstance(feedback, FeedbackRejected)
    await store.add_partner_message(
        uow.conn, feedback.provider_id, "feedback.rejected", feedback.model_dump_json()
    )


HANDLERS: dict[str, Handler] = {
    "zll.feedback.rejected.v1": tell_partner_of_refusal,
}
