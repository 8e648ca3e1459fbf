"""Which format a document is, from its first bytes alone."""

from __future__ import annotations

import re

from services.intake.model import Format, IntakeDocumentError, Message
from services.intake.reading import entities_refused

__all__ = ["SNIFF_BYTES", "detect_format"]

SNIFF_BYTES = 8 * 1024
OPENVHS_NAMESPACE = "http://www.dvv-vhs.de/Open-VHS"

_COMMENT = re.compile(r"<!--.*?(-->|$)", re.S)
_PI = re.compile(r"<\?.*?(\?>|$)", re.S)
_DOCTYPE = re.compile(r"<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", re.S)
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)([^>]*)")
_OOAPI_KEYS = re.compile(r'"(offeringId|offeringType|courseId|primaryCode|teachingLanguage)"\s*:')


def _unknown() -> IntakeDocumentError:
    return IntakeDocumentError(
        "unknown_format",
        Message(
            "Das Format der Datei wurde nicht erkannt. Angenommen werden open-Qcat 1.1 "
            "(OPENQCAT), OpenVHS 1.2 (openvhs:veranstaltungen) und OOAPI v5 (JSON mit "
            "offerings oder courses); mit ?format= lässt es sich angeben.",
            "The file's format was not recognised. Accepted are open-Qcat 1.1 (OPENQCAT), "
            "OpenVHS 1.2 (openvhs:veranstaltungen) and OOAPI v5 (JSON with offerings or "
            "courses); ?format= names it explicitly.",
        ),
    )


def detect_format(head: bytes) -> Format:
    """Detect from the first bytes (`SNIFF_BYTES` are plenty): the root element or JSON keys."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        # Latin-1 never fails; only ASCII markup is looked at.
        text = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    text = text.lstrip()
    if text.startswith(("{", "[")):
        if _OOAPI_KEYS.search(text):
            return Format.OOAPI
        raise _unknown()
    if not text.startswith("<"):
        raise _unknown()
    if "<!ENTITY" in text:
        raise entities_refused()
    body = _DOCTYPE.sub("", _PI.sub("", _COMMENT.sub("", text)))
    root = _ROOT.search(body)
    if root is None:
        raise _unknown()
    name, attributes = root.group(1), root.group(2)
    if name == "OPENQCAT":
        return Format.OPENQCAT
    if name.rsplit(":", 1)[-1] == "veranstaltungen" and (
        name == "openvhs:veranstaltungen" or OPENVHS_NAMESPACE in attributes
    ):
        return Format.OPENVHS
    raise _unknown()
