"""Reading an untrusted byte stream: size limit, encoding repair, and a locked-down iterparse.

Real VHS exports are often ISO-8859-1 while declaring UTF-8, or declare nothing. Every
byte sequence that is valid UTF-8 is read as UTF-8, every other byte as the declared
single-byte encoding (Windows-1252 when none or UTF-8 is declared), and the document
says so in its warnings. The parser always receives clean UTF-8.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from lxml import etree

from services.intake.model import IntakeDocumentError, Limits, Message

__all__ = ["DecodingReader", "entities_refused", "iter_xml", "local_name"]

CHUNK = 64 * 1024
_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_SINGLE_BYTE = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "iso-8859-15": "iso-8859-15",
    "latin-9": "iso-8859-15",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf-8": "cp1252",
    "utf8": "cp1252",
}
_ROOT_START = re.compile(r"<[A-Za-z_:]")


def local_name(tag: Any) -> str:
    """`{http://www.dvv-vhs.de/Open-VHS}veranstaltung` → `veranstaltung`."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class DecodingReader:
    """A file-like object over the raw upload that hands out UTF-8 and counts every byte."""

    def __init__(self, raw: BinaryIO, limits: Limits, warnings: list[Message]) -> None:
        self._raw = raw
        self._limits = limits
        self._warnings = warnings
        self._pending = b""
        self._out = b""
        self._fallback: str | None = None
        self._utf16: Any = None
        self._declared: str | None = None
        self.bytes_read = 0
        self.eof = False
        self._repaired = 0
        self._utf8_non_ascii = 0
        self._noted = False

    def _pull(self) -> bytes:
        data = self._raw.read(CHUNK)
        if not data:
            self.eof = True
            return b""
        self.bytes_read += len(data)
        if self.bytes_read > self._limits.max_bytes:
            raise IntakeDocumentError(
                "too_large",
                Message(
                    f"Die Datei ist größer als {self._limits.max_bytes // (1024 * 1024)} MB.",
                    f"The file is larger than {self._limits.max_bytes // (1024 * 1024)} MB.",
                ),
            )
        return data

    def _choose_encoding(self, head: bytes) -> bytes:
        if head.startswith(codecs.BOM_UTF8):
            self._fallback = "cp1252"
            return head[len(codecs.BOM_UTF8) :]
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self._utf16 = codecs.getincrementaldecoder("utf-16")("strict")
            return head
        match = _DECLARATION.match(head[:200])
        self._declared = match.group(1).decode("ascii").lower() if match else None
        fallback = _SINGLE_BYTE.get(self._declared or "utf-8")
        if fallback is None:
            raise IntakeDocumentError(
                "encoding",
                Message(
                    f"Die Zeichenkodierung '{self._declared}' wird nicht unterstützt; bitte als "
                    "UTF-8 oder ISO-8859-1 exportieren.",
                    f"The character encoding '{self._declared}' is not supported; please export "
                    "as UTF-8 or ISO-8859-1.",
                ),
                line=1,
            )
        self._fallback = fallback
        return head

    def _decode(self, data: bytes, final: bool) -> str:
        if self._utf16 is not None:
            try:
                return str(self._utf16.decode(data, final))
            except UnicodeDecodeError as error:
                raise IntakeDocumentError(
                    "encoding",
                    Message("Die Datei ist kein gültiges UTF-16.", "The file is not valid UTF-16."),
                ) from error
        data = self._pending + data
        view = memoryview(data)
        parts: list[str] = []
        pos = 0
        while pos < len(data):
            try:
                text, used = codecs.utf_8_decode(view[pos:], "strict", final)
            except UnicodeDecodeError as error:
                text, _ = codecs.utf_8_decode(view[pos : pos + error.start], "strict", True)
                parts.append(text)
                bad = bytes(view[pos + error.start : pos + error.end])
                try:
                    parts.append(bad.decode(self._fallback or "cp1252"))
                except UnicodeDecodeError:
                    parts.append(bad.decode("latin-1"))
                self._repaired += len(bad)
                pos += error.end
                continue
            parts.append(text)
            # Whether any multi-byte UTF-8 was seen is all the warning needs (and cheap).
            self._utf8_non_ascii += not text.isascii()
            pos += used
            break
        self._pending = bytes(view[pos:])
        return "".join(parts)

    def read_text(self) -> str:
        """The next piece of the document as text; empty at the end."""
        while True:
            first = self.bytes_read == 0
            data = self._pull()
            if first and data:
                while len(data) < 200 and not self.eof:
                    data += self._pull()
                data = self._choose_encoding(data)
            text = self._decode(data, final=self.eof)
            if self.eof:
                self._note_encoding()
            if text or self.eof:
                return text

    def read(self, size: int = -1) -> bytes:
        """What lxml's iterparse calls: UTF-8 bytes, at most `size` of them."""
        while not self._out and not self.eof:
            self._out = self.read_text().encode("utf-8")
        if size < 0:
            size = len(self._out)
        piece, self._out = self._out[:size], self._out[size:]
        return piece

    def finish(self) -> None:
        """Read to the end (the parser may stop at the root's end tag) and note the encoding."""
        while not self.eof:
            self.read_text()

    def _note_encoding(self) -> None:
        if self._noted:
            return
        self._noted = True
        declared = self._declared or "utf-8"
        if self._repaired and declared.startswith("utf"):
            self._warnings.append(
                Message(
                    f"Die Datei gibt {declared.upper()} an, enthält aber {self._repaired} "
                    "Zeichen in ISO-8859-1 (Latin-1); sie wurden als ISO-8859-1 gelesen.",
                    f"The file declares {declared.upper()} but contains {self._repaired} "
                    "characters in ISO-8859-1 (Latin-1); they were read as ISO-8859-1.",
                )
            )
        elif (
            self._utf8_non_ascii
            and self._declared in _SINGLE_BYTE
            and not declared.startswith("utf")
        ):
            self._warnings.append(
                Message(
                    f"Die Datei gibt {declared.upper()} an, ist aber UTF-8; sie wurde als UTF-8 "
                    "gelesen.",
                    f"The file declares {declared.upper()} but is UTF-8; it was read as UTF-8.",
                )
            )


def entities_refused() -> IntakeDocumentError:
    """XXE, billion laughs and quadratic blow-up all need an entity declaration: none pass."""
    return IntakeDocumentError(
        "entities",
        Message(
            "Die Datei deklariert eigene XML-Entitäten (DOCTYPE mit ENTITY); das wird aus "
            "Sicherheitsgründen nicht angenommen.",
            "The file declares its own XML entities (DOCTYPE with ENTITY); this is refused "
            "for security reasons.",
        ),
        line=1,
    )


class _PrologGuard:
    """Refuses entity declarations before a single byte reaches the parser."""

    def __init__(self, reader: DecodingReader, limits: Limits) -> None:
        self._reader = reader
        self._limits = limits
        self._checked = False
        self._head: bytes = b""

    def read(self, size: int = -1) -> bytes:
        if not self._checked:
            prolog = ""
            while not _ROOT_START.search(re.sub(r"<!--.*?-->", "", prolog, flags=re.S)):
                text = self._reader.read_text()
                if not text:
                    break
                prolog += text
                if len(prolog) > self._limits.max_prolog_bytes:
                    break
            found = _ROOT_START.search(re.sub(r"<!--.*?-->", "", prolog, flags=re.S))
            before_root = prolog[: prolog.find(found.group(0))] if found else prolog
            if "<!ENTITY" in before_root:
                raise entities_refused()
            if found is None and len(prolog) > self._limits.max_prolog_bytes:
                raise IntakeDocumentError(
                    "malformed",
                    Message(
                        "Vor dem ersten Element stehen mehr als "
                        f"{self._limits.max_prolog_bytes // 1024} KB; das ist kein Kursexport.",
                        f"More than {self._limits.max_prolog_bytes // 1024} KB precede the first "
                        "element; this is not a course export.",
                    ),
                    line=1,
                )
            self._head = prolog.encode("utf-8")  # the text read so far, handed on first
            self._checked = True
        if self._head:
            if size < 0:
                size = len(self._head)
            piece, self._head = self._head[:size], self._head[size:]
            return piece
        return self._reader.read(size)


def _syntax_error(error: etree.XMLSyntaxError, reader: DecodingReader) -> IntakeDocumentError:
    line = error.lineno if isinstance(error.lineno, int) else None
    text = str(error)
    if reader.eof and ("Premature end" in text or "end of data" in text or "EndTag" in text):
        return IntakeDocumentError(
            "truncated",
            Message(
                f"Die Datei endet mitten im Dokument (Zeile {line}); sie wurde wohl nicht "
                "vollständig übertragen. Es wurde nichts übernommen.",
                f"The file ends in the middle of the document (line {line}); it was probably "
                "not transferred completely. Nothing was taken.",
            ),
            line=line,
        )
    return IntakeDocumentError(
        "malformed",
        Message(
            f"Die Datei ist kein wohlgeformtes XML (Zeile {line}): {text}",
            f"The file is not well-formed XML (line {line}): {text}",
        ),
        line=line,
    )


def iter_xml(
    stream: BinaryIO, limits: Limits, warnings: list[Message]
) -> Iterator[tuple[str, Any]]:
    """(event, element) pairs of a locked-down iterparse: no DTD, no entities, no network."""
    reader = DecodingReader(stream, limits, warnings)
    source = _PrologGuard(reader, limits)
    events = etree.iterparse(
        source,
        events=("start", "end"),
        encoding="utf-8",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth = 0
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth > limits.max_depth:
                    raise IntakeDocumentError(
                        "too_deep",
                        Message(
                            f"Die Datei ist tiefer als {limits.max_depth} Ebenen verschachtelt "
                            f"(Zeile {element.sourceline}).",
                            f"The file is nested deeper than {limits.max_depth} levels "
                            f"(line {element.sourceline}).",
                        ),
                        line=element.sourceline,
                    )
            else:
                depth -= 1
            if isinstance(element.tag, str):
                yield event, element
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error, reader) from error
    reader.finish()
