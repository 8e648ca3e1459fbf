"""Pulling a provider's feed: a conditional GET, then the same import as an upload.

An unchanged export costs one request answered 304 (If-None-Match / If-Modified-Since with
the validators of the last export taken). A URL or redirect to a loopback, private or
link-local address is refused unless the region allows it (development), a pull that takes
longer than the configured time fails, and a body beyond the size limit is not read on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import uuid
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import httpx
from starlette.concurrency import run_in_threadpool

from services.intake import Format, IntakeDocumentError, Limits, Message, domain, feed_store
from services.intake.config import IntakeSettings
from services.intake.feed_store import Feed, Outcome
from services.intake.importing import Import, refused_whole, take
from services.intake.upload import TooLarge, read_whole, spool
from zll.platform.database import Database

log = logging.getLogger(__name__)

FEED = "feed"
"""The feed id of a registered feed's imports: its full exports replace each other."""


class FeedFailed(Exception):
    """The feed could not be fetched; the message says why, for the provider."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.en)
        self.message = message


@dataclass(frozen=True, slots=True)
class NotModified:
    pass


@dataclass(frozen=True, slots=True)
class Fetched:
    body: IO[bytes]
    etag: str | None
    last_modified: str | None


def public_address(address: str) -> bool:
    """Whether an address is one the region may fetch from on a provider's say-so."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def loopback_host(host: str) -> bool:
    """Whether a URL's host is this machine, told without asking any name server."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _not_allowed(host: str) -> FeedFailed:
    return FeedFailed(
        Message(
            f"„{host}“ ist keine erlaubte Adresse; die Region ruft nur öffentliche Adressen ab.",
            f"{host!r} is not an allowed address; the region fetches from public addresses only.",
        )
    )


async def _check_url(url: str, config: IntakeSettings) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedFailed(
            Message(
                f"Die Adresse „{url}“ ist keine http(s)-Adresse.",
                f"The address {url!r} is not an http(s) address.",
            )
        )
    host = parts.hostname
    if config.feed_addresses == "loopback":
        if not loopback_host(host):
            raise _not_allowed(host)
        return
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        if not public_address(str(literal)):
            raise _not_allowed(host)
        return
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            host, parts.port or 443, type=socket.SOCK_STREAM
        )
    except OSError as error:
        raise FeedFailed(
            Message(
                f"Der Server „{host}“ ist nicht bekannt.",
                f"The server {host!r} is not known.",
            )
        ) from error
    if not all(public_address(str(info[4][0])) for info in found):
        raise _not_allowed(host)


def _failed(de: str, en: str) -> FeedFailed:
    return FeedFailed(Message(de, en))


async def fetch(
    client: httpx.AsyncClient, feed: Feed, config: IntakeSettings, limits: Limits
) -> Fetched | NotModified:
    """GET the feed, conditionally, following at most the configured redirects (each checked)."""
    conditions = {}
    if feed.etag:
        conditions["If-None-Match"] = feed.etag
    if feed.last_modified:
        conditions["If-Modified-Since"] = feed.last_modified
    url = feed.url
    try:
        async with asyncio.timeout(config.feed_timeout_seconds):
            for _ in range(config.feed_max_redirects + 1):
                await _check_url(url, config)
                async with client.stream("GET", url, headers=conditions) as answer:
                    if answer.is_redirect and "location" in answer.headers:
                        url = urljoin(url, answer.headers["location"])
                        continue
                    if answer.status_code == 304:
                        return NotModified()
                    if answer.status_code != 200:
                        raise _failed(
                            f"Der Server antwortete mit HTTP {answer.status_code}.",
                            f"The server answered HTTP {answer.status_code}.",
                        )
                    body = await spool(answer.aiter_bytes(), limits.max_bytes)
                    return Fetched(
                        body, answer.headers.get("etag"), answer.headers.get("last-modified")
                    )
    except TimeoutError as error:
        raise _failed(
            f"Der Abruf dauerte länger als {config.feed_timeout_seconds:.0f} Sekunden.",
            f"The pull took longer than {config.feed_timeout_seconds:.0f} seconds.",
        ) from error
    except TooLarge as error:
        raise _failed(
            f"Der Export ist größer als {error.limit} Bytes.",
            f"The export is larger than {error.limit} bytes.",
        ) from error
    except httpx.HTTPError as error:
        raise _failed(
            f"Der Export konnte nicht abgerufen werden ({type(error).__name__}).",
            f"The export could not be fetched ({type(error).__name__}).",
        ) from error
    raise _failed(
        f"Mehr als {config.feed_max_redirects} Weiterleitungen.",
        f"More than {config.feed_max_redirects} redirects.",
    )


def _error(message: Message) -> dict[str, str]:
    return {"de": message.de, "en": message.en}


async def pull(
    db: Database, client: httpx.AsyncClient, feed: Feed, config: IntakeSettings, limits: Limits
) -> Outcome:
    """Pull one claimed feed, take what it holds, record how it went and give the lease back."""
    try:
        outcome = await _pull(db, client, feed, config, limits)
    except BaseException:
        async with db.connection() as conn:
            await feed_store.finish(conn, feed.provider_id, Outcome("failed"))
        raise
    if outcome.kind in ("not_modified", "failed"):  # the others were recorded with their event
        async with db.connection() as conn:
            await feed_store.finish(conn, feed.provider_id, outcome)
    log.info("feed of %s pulled: %s", feed.provider_id, outcome.kind)
    return outcome


async def _pull(
    db: Database, client: httpx.AsyncClient, feed: Feed, config: IntakeSettings, limits: Limits
) -> Outcome:
    try:
        got = await fetch(client, feed, config, limits)
    except FeedFailed as failure:
        return Outcome("failed", error=_error(failure.message))
    if isinstance(got, NotModified):
        return Outcome("not_modified")
    validators = {"etag": got.etag, "last_modified": got.last_modified, "keep_validators": True}
    chosen = Format(feed.format) if feed.format else None
    job = Import(feed.provider_id, str(uuid.uuid4()), FEED)
    try:
        reading = await run_in_threadpool(read_whole, got.body, feed.provider_id, chosen, limits)
    except IntakeDocumentError as error:
        return await _refused(db, job, feed.format, error.message, validators)
    finally:
        got.body.close()
    try:
        async with db.unit_of_work() as uow:
            await take(uow, reading, job)
            outcome = Outcome("taken", import_id=job.import_id, **validators)  # type: ignore[arg-type]
            await feed_store.finish(uow.conn, feed.provider_id, outcome)
    except domain.ImportRefused as refused:
        return await _refused(db, job, reading.header.format.value, refused.message, validators)
    finally:
        reading.courses.close()
    return outcome


async def _refused(
    db: Database, job: Import, format: str | None, reason: Message, validators: dict[str, Any]
) -> Outcome:
    """Nobody waits for a feed's answer: the provider hears of the refusal through notify."""
    outcome = Outcome("refused", error=_error(reason), **validators)
    async with db.unit_of_work() as uow:
        uow.publish(refused_whole(job, format, reason), key=job.provider_id)
        await feed_store.finish(uow.conn, job.provider_id, outcome)
    return outcome


async def run_due(
    db: Database, client: httpx.AsyncClient, config: IntakeSettings, limits: Limits
) -> int:
    """Pull the feeds that are due and nobody else holds; how many were pulled."""
    async with db.connection() as conn:
        due = await feed_store.claim_due(
            conn, limit=config.feed_batch, lease_seconds=config.feed_lease_seconds
        )
    for feed in due:
        await pull(db, client, feed, config, limits)
    return len(due)


async def schedule(
    db: Database, client: httpx.AsyncClient, config: IntakeSettings, limits: Limits
) -> None:
    """The scheduler of one instance: look for due feeds every `feed_poll_seconds`, forever."""
    while True:
        try:
            while await run_due(db, client, config, limits) == config.feed_batch:
                pass
        except Exception:  # a bad pull must not stop the schedule of every other feed
            log.exception("pulling due feeds failed")
        await asyncio.sleep(config.feed_poll_seconds)
