"""What an import changes: each course new, changed, unchanged or withdrawn, and its revision.

Pure: it compares what a document holds with what the same feed published before and says
which events to publish. Every real change is exactly one new revision of the course; an
unchanged course publishes nothing. A full export is authoritative for its feed (a course
it no longer holds is withdrawn); an update catalogue applies only its own entries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.intake.model import ImportedCourse, ImportedWithdrawal, Message

UPLOAD_FEED = "upload"
"""The feed of every uploaded file: uploads of one provider replace each other."""

WITHDRAWN_ABSENT = "Nicht mehr im Export des Anbieters enthalten."
WITHDRAWN_DELETED = "Vom Anbieter im Export gelöscht."


@dataclass(frozen=True, slots=True)
class Published:
    """What the feed last published of one course."""

    course_id: str
    revision: int
    fingerprint: str
    live: bool


@dataclass(frozen=True, slots=True)
class Upsert:
    payload: dict[str, Any]  # a `zll.course.upserted.v1` payload with its revision
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Withdrawal:
    course_id: str
    revision: int
    reason: str


@dataclass
class Changes:
    """The events one import publishes, and its counts for the report.

    `upserts` is filled by `changes`; `compare` hands them out one at a time instead (a
    50 000-course export is never held whole) and keeps only what `state` needs.
    """

    upserts: list[Upsert] = field(default_factory=list)
    withdrawals: list[Withdrawal] = field(default_factory=list)
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    upserted: list[Published] = field(default_factory=list)

    @property
    def withdrawn(self) -> int:
        return len(self.withdrawals)

    def state(self) -> list[Published]:
        """What the feed has published once these events are out."""
        return [*self.upserted, *(Published(w.course_id, w.revision, "", False)
                                  for w in self.withdrawals)]  # fmt: skip


class ImportRefused(Exception):
    """The import as a whole is not taken, with a reason a person understands."""

    def __init__(self, kind: str, message: Message) -> None:
        super().__init__(message.en)
        self.kind = kind
        self.message = message


EMPTY_FULL_EXPORT = Message(
    "Der vollständige Export enthält keinen übernehmbaren Kurs. Er würde alle bisherigen Kurse "
    "zurückziehen und wurde deshalb nicht übernommen; bitte prüfen Sie den Export.",
    "The full export holds no course that could be taken. It would withdraw every course "
    "published so far and was therefore not taken; please check the export.",
)


def fingerprint(payload_without_revision: Mapping[str, Any]) -> str:
    """Equal for equal course contents, whatever the key order of the export."""
    canonical = json.dumps(payload_without_revision, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def changes(
    *,
    full: bool,
    courses: Iterable[ImportedCourse],
    deletions: Sequence[ImportedWithdrawal],
    provider_id: str,
    published: Mapping[str, Published],
) -> Changes:
    """Compare one document with what its feed published before (`published` by course id).

    Raises ImportRefused for a full export without a single course: far more likely a broken
    export than a provider that closed, and taking it would empty the provider's catalogue.
    """
    result = Changes()
    result.upserts = list(
        compare(
            full=full,
            courses=courses,
            deletions=deletions,
            provider_id=provider_id,
            published=published,
            into=result,
        )
    )
    return result


def compare(
    *,
    full: bool,
    courses: Iterable[ImportedCourse],
    deletions: Sequence[ImportedWithdrawal],
    provider_id: str,
    published: Mapping[str, Published],
    into: Changes,
) -> Iterator[Upsert]:
    """`changes`, one upsert at a time: counts, state and withdrawals land in `into`.

    The ImportRefused of an empty full export comes at the end, after every upsert was
    handed out: whoever publishes them must do so in a transaction it can roll back.
    """
    seen: set[str] = set()
    for course in courses:
        payload = course.payload_without_revision
        course_id = payload["course_id"]
        seen.add(course_id)
        print_ = fingerprint(payload)
        before = published.get(course_id)
        if before is not None and before.live and before.fingerprint == print_:
            into.unchanged += 1
            continue
        if before is None or not before.live:
            into.new += 1
        else:
            into.changed += 1
        revision = before.revision + 1 if before is not None else 1
        into.upserted.append(Published(course_id, revision, print_, True))
        yield Upsert({**payload, "revision": revision}, print_)
    if full and not seen:
        raise ImportRefused("empty_full_export", EMPTY_FULL_EXPORT)
    gone: list[tuple[str, str]] = []
    if full:
        gone = [(c, WITHDRAWN_ABSENT) for c in sorted(published) if c not in seen]
    for deletion in deletions:
        course_id = f"{provider_id}:{deletion.code}"
        if course_id not in seen:
            gone.append((course_id, WITHDRAWN_DELETED))
    for course_id, reason in gone:
        before = published.get(course_id)
        # Only what this feed published and is still live: nothing else is ours to withdraw.
        if before is not None and before.live:
            into.withdrawals.append(Withdrawal(course_id, before.revision + 1, reason))


SHRINK_MINIMUM = 10
"""A feed with fewer live courses than this may shrink freely: small catalogues change a lot."""
SHRINK_SHARE = 0.5
"""A full export that would withdraw more than this share of the live courses needs a confirm."""


def check_shrink(changes: Changes, published: Mapping[str, Published], *, confirmed: bool) -> None:
    """Refuse a full export much shorter than the last unless the provider confirmed it.

    An export cut short by the producing system (a filter left on, a failed query) would
    otherwise withdraw most of the provider's courses from search in one go.
    """
    live = sum(1 for p in published.values() if p.live)
    if confirmed or live < SHRINK_MINIMUM or changes.withdrawn <= live * SHRINK_SHARE:
        return
    raise ImportRefused(
        "shrunk_full_export",
        Message(
            f"Der vollständige Export würde {changes.withdrawn} von {live} bisher "
            "veröffentlichten Kursen zurückziehen. Er wurde deshalb nicht übernommen; ist das "
            "gewollt, bitte erneut mit ?confirm_withdrawals=true hochladen.",
            f"The full export would withdraw {changes.withdrawn} of the {live} courses "
            "published so far. It was therefore not taken; if that is intended, upload it "
            "again with ?confirm_withdrawals=true.",
        ),
    )


def check_creator(known: str | None, declared: str | None, provider_id: str = "") -> None:
    """Refuse a document whose exporting institution is not the one this provider's were.

    The first import that names its creator (OpenVHS `ersteller/guid`, open-Qcat
    `SUPPLIER_ID`) fixes it for the provider; a later document naming another one is most
    likely another institution's file uploaded under the wrong account.
    """
    if known is None or declared is None or declared in (known, provider_id):
        return  # the region's own export of the provider names the provider id
    raise ImportRefused(
        "other_creator",
        Message(
            f"Die Datei stammt laut Kopf von „{declared}“, die bisherigen Exporte dieses "
            f"Anbieters von „{known}“. Es wurde nichts übernommen; bitte prüfen Sie, ob die "
            "Datei zum richtigen Anbieter hochgeladen wurde.",
            f"The file's header names {declared!r} as its creator, this provider's earlier "
            f"exports named {known!r}. Nothing was taken; please check that the file was "
            "uploaded for the right provider.",
        ),
    )
