"""W3C Bitstring Status List v1.0: entries in credentials, the list credential, reading a bit.

No I/O. A credential carries one `BitstringStatusListEntry` per purpose (revocation,
suspension) at the same index; the region publishes one signed list credential per purpose
and list number. Bit 0 is the most significant bit of the first byte (spec §3.2); the
bitstring is GZIP-compressed and multibase-base64url encoded (`u` prefix, no padding).
"""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

Purpose = Literal["revocation", "suspension"]
PURPOSES: tuple[Purpose, ...] = ("revocation", "suspension")
LIST_BITS = 131_072  # the spec's minimum: 16 KiB, so one index hides among 131 072
MAX_LIST_BYTES = 16 * 1024 * 1024  # a larger decompressed list is refused (gzip bomb)
CONTEXT = ["https://www.w3.org/ns/credentials/v2"]
VALIDITY = timedelta(hours=24)  # a copy older than this is stale: replay cannot un-revoke
_SPREAD = 40_503  # odd, so multiplying by it modulo 2^17 is a bijection


class StatusListError(ValueError):
    """A status list that cannot be read, with a reason a person can act on."""


@dataclass(frozen=True, slots=True)
class Position:
    """Where one credential's status lives: list number and the bit within it."""

    list_number: int
    index: int

    @classmethod
    def of(cls, serial: int) -> Position:
        """The n-th certificate's place: an odd multiplier permutes the 2^17 bits of a list,
        so neighbouring indexes do not tell the order of issue (spec §6.1, herd privacy)."""
        return cls(serial // LIST_BITS, (serial % LIST_BITS) * _SPREAD % LIST_BITS)


def list_url(public_url: str, purpose: Purpose, list_number: int) -> str:
    return f"{public_url}/status-lists/{purpose}/{list_number}"


def entries(public_url: str, position: Position) -> list[dict[str, Any]]:
    """The credential's `credentialStatus`: one entry per purpose, same index."""
    return [
        {
            "id": f"{list_url(public_url, purpose, position.list_number)}#{position.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(position.index),
            "statusListCredential": list_url(public_url, purpose, position.list_number),
        }
        for purpose in PURPOSES
    ]


def encode(set_bits: Iterable[int], size: int = LIST_BITS) -> str:
    """The `encodedList` with the given indexes set."""
    bits = bytearray(size // 8)
    for index in set_bits:
        if not 0 <= index < size:
            raise StatusListError(f"index {index} is outside a list of {size} bits")
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


@lru_cache(maxsize=32)
def decode(encoded: str) -> bytes:
    """The raw bitstring of an `encodedList`; refuses what is not one. Cached: verifying many
    credentials against one list decompresses it once."""
    if not encoded.startswith("u"):
        raise StatusListError("encodedList must be multibase base64url (start with 'u')")
    body = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        bits = inflater.decompress(packed, MAX_LIST_BYTES + 1)
    except (ValueError, zlib.error) as error:
        raise StatusListError(f"encodedList is not GZIP in base64url: {error}") from error
    if len(bits) > MAX_LIST_BYTES:
        raise StatusListError("encodedList decompresses to more than 16 MiB")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    """The status bit at `index`; an index the list does not cover is an error, never 0."""
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"index {index} is outside the list ({len(bits) * 8} bits)")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_credential(
    *,
    url: str,
    purpose: Purpose,
    issuer: Mapping[str, Any],
    set_bits: Iterable[int],
    now: datetime,
) -> dict[str, Any]:
    """The `BitstringStatusListCredential` the region signs and publishes."""
    return {
        "@context": CONTEXT,
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": dict(issuer),
        "validFrom": now.isoformat(),
        "validUntil": (now + VALIDITY).isoformat(),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode(set_bits),
            "ttl": int(VALIDITY.total_seconds() * 1000) // 24,  # refetch hourly (ms)
        },
    }


def status_entries(credential: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The credential's Bitstring status entries (an older credential has none)."""
    status = credential.get("credentialStatus")
    found = status if isinstance(status, list) else [status] if status else []
    return [
        e for e in found if isinstance(e, Mapping) and e.get("type") == "BitstringStatusListEntry"
    ]


def check(
    credential: Mapping[str, Any],
    lists: Mapping[str, Mapping[str, Any]],
    now: datetime,
) -> tuple[str, str] | None:
    """Why the credential's status fails, as (code, detail), or None when every bit is clear.

    `lists` maps each list URL to its list credential, already signature-checked by the
    caller. Fails closed: a missing, stale, foreign or too short list is `status-unknown`.
    """
    issuer = _id(credential.get("issuer"))
    for entry in status_entries(credential):
        url = str(entry.get("statusListCredential", ""))
        found = lists.get(url)
        if found is None:
            return "status-unknown", f"The status list {url} could not be fetched."
        try:
            failure = _check_entry(entry, found, issuer, now)
        except (StatusListError, TypeError, ValueError) as error:
            return "status-unknown", f"Status list {url}: {error}"
        if failure is not None:
            return failure
    return None


def _check_entry(
    entry: Mapping[str, Any], found: Mapping[str, Any], issuer: str | None, now: datetime
) -> tuple[str, str] | None:
    if "BitstringStatusListCredential" not in found.get("type", []):
        raise StatusListError("not a BitstringStatusListCredential")
    if _id(found.get("issuer")) != issuer:
        raise StatusListError(f"issued by {_id(found.get('issuer'))!r}, not by {issuer!r}")
    until = found.get("validUntil")
    if until and datetime.fromisoformat(str(until)) < now:
        raise StatusListError(f"stale since {until}; fetch a fresh copy")
    subject = found.get("credentialSubject") or {}
    purpose = entry.get("statusPurpose")
    if subject.get("statusPurpose") != purpose:
        raise StatusListError(f"declares {subject.get('statusPurpose')!r}, not {purpose!r}")
    index = int(str(entry.get("statusListIndex")))
    if not is_set(decode(str(subject.get("encodedList", ""))), index):
        return None
    code = "revoked" if purpose == "revocation" else "suspended"
    return code, f"The {purpose} bit {index} is set in {entry.get('statusListCredential')}."


def _id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        found = value.get("id")
        return str(found) if found is not None else None
    return str(value) if value is not None else None
