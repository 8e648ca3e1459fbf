"""One path for every door: an uploaded file and a pulled feed are taken the same way.

Compare, publish and record in one transaction: the events leave with the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from zll_contracts.payloads import (
    CourseUpserted,
    CourseWithdrawn,
    ImportCounts,
    ImportRefusedRecord,
    ImportReported,
)

from services.intake import Message, domain, store
from services.intake.upload import Reading
from zll.platform.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Import:
    """Who imports what, and what the provider has confirmed."""

    provider_id: str
    import_id: str
    feed_id: str
    dry_run: bool = False
    confirm_withdrawals: bool = False


async def take(uow: UnitOfWork, reading: Reading, job: Import) -> store.ImportReport:
    """Take one document read to its end; raises domain.ImportRefused for a refused whole."""
    await store.lock_feed(uow.conn, job.provider_id, job.feed_id)
    known_creator = await store.creator_of(uow.conn, job.provider_id)
    domain.check_creator(known_creator, reading.header.creator_id, job.provider_id)
    before = await store.published(uow.conn, job.provider_id, job.feed_id)
    changes = domain.Changes()
    upserts = domain.compare(
        full=reading.header.full,
        courses=reading.courses,
        deletions=reading.deletions,
        provider_id=job.provider_id,
        published=before,
        into=changes,
    )
    for upsert in upserts:
        if not job.dry_run:
            _publish_upsert(uow, upsert, job)
            if len(uow.staged) >= FLUSH_EVERY:
                await uow.flush()  # into the transaction: the events still leave with it
    domain.check_shrink(changes, before, confirmed=job.confirm_withdrawals)
    if not job.dry_run:
        _publish_withdrawals(uow, changes, job)
        await store.save_published(
            uow.conn, job.provider_id, job.feed_id, job.import_id, changes.state()
        )
        creator = reading.header.creator_id
        if known_creator is None and creator and creator != job.provider_id:
            await store.remember_creator(uow.conn, job.provider_id, creator, job.import_id)
    report = store.ImportReport(
        import_id=job.import_id,
        provider_id=job.provider_id,
        feed_id=job.feed_id,
        format=reading.header.format.value,
        full_export=reading.header.full,
        dry_run=job.dry_run,
        created_at=datetime.now(UTC),
        new=changes.new,
        changed=changes.changed,
        unchanged=changes.unchanged,
        withdrawn=changes.withdrawn,
        refused=[
            {
                "line": r.source_line,
                "path": r.path,
                "export_id": r.export_id,
                "title": r.title,
                "de": r.text("de"),
                "en": r.text("en"),
            }
            for r in reading.refusals
        ],
        warnings=[{"de": w.de, "en": w.en} for w in reading.warnings],
    )
    await store.save_report(uow.conn, report)
    if not job.dry_run:
        uow.publish(reported(report), key=job.provider_id)
    return report


FLUSH_EVERY = 1000
"""Staged events written to the outbox table every this many, inside the same transaction."""

REPORTED_REFUSALS = 50
"""Refused records named in the notification; the report at intake has all of them."""


def reported(report: store.ImportReport) -> ImportReported:
    """The report as the provider hears it through notify (inbox, e-mail, webhook)."""
    return ImportReported(
        provider_id=report.provider_id,
        import_id=report.import_id,
        feed_id=report.feed_id,
        format=report.format,
        outcome="taken",
        counts=ImportCounts(
            new=report.new,
            changed=report.changed,
            unchanged=report.unchanged,
            withdrawn=report.withdrawn,
            refused=len(report.refused),
        ),
        refused=[
            ImportRefusedRecord(
                export_id=(r["export_id"] or "")[:256] or None,
                title=(r["title"] or "")[:200] or None,
                line=r["line"] if r["line"] and r["line"] > 0 else None,
                message_de=r["de"][:1000],
                message_en=r["en"][:1000],
            )
            for r in report.refused[:REPORTED_REFUSALS]
        ],
    )


def refused_whole(job: Import, format: str | None, reason: Message) -> ImportReported:
    """A document not taken at all (a feed's: an upload is answered 422 there and then)."""
    return ImportReported(
        provider_id=job.provider_id,
        import_id=job.import_id,
        feed_id=job.feed_id,
        format=format,
        outcome="refused",
        reason_de=reason.de[:1000],
        reason_en=reason.en[:1000],
    )


def _provenance(job: Import) -> dict[str, str]:
    return {"zllimport": job.import_id, "zllfeed": job.feed_id}


def _publish_upsert(uow: UnitOfWork, upsert: domain.Upsert, job: Import) -> None:
    """On the provider's behalf (its `ce_source`), with the import as provenance."""
    course = CourseUpserted.model_validate(upsert.payload)
    uow.publish(
        course,
        key=course.course_id,
        source=f"/providers/{job.provider_id}",
        extensions=_provenance(job),
    )


def _publish_withdrawals(uow: UnitOfWork, changes: domain.Changes, job: Import) -> None:
    for gone in changes.withdrawals:
        withdrawal = CourseWithdrawn(
            provider_id=job.provider_id,
            course_id=gone.course_id,
            revision=gone.revision,
            reason=gone.reason,
        )
        uow.publish(
            withdrawal,
            key=gone.course_id,
            source=f"/providers/{job.provider_id}",
            extensions=_provenance(job),
        )
