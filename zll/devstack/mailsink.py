"""The dev stack's local SMTP sink: accepts every e-mail and keeps it as an .eml file.

Run: `python -m zll.devstack.mailsink --port 8025 --folder .zll/mail`; `zll mail list` shows
what arrived. Nothing is ever relayed onwards.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import itertools
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


class FolderHandler:
    """aiosmtpd handler: one file per message, named so that `ls` sorts them by arrival."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._counter = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        name = f"{time.time_ns()}-{next(self._counter):06d}.eml"
        content = envelope.original_content or b""
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(content)
        tmp.rename(self.folder / name)  # readers never see half a message
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class StoredMail:
    path: Path
    message_id: str
    sender: str
    to: str
    subject: str
    date: str


def stored_mails(folder: Path) -> list[StoredMail]:
    """The e-mails in a sink folder, oldest first."""
    mails = []
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        message = read_mail(path)
        mails.append(
            StoredMail(
                path=path,
                message_id=str(message.get("Message-ID", "")).strip(),
                sender=str(message.get("From", "")),
                to=str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
                date=str(message.get("Date", "")),
            )
        )
    return mails


def read_mail(path: Path) -> Any:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


async def serve(host: str, port: int, folder: Path) -> None:
    handler = FolderHandler(folder)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="zll-mailsink"), host, port)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local SMTP sink: keeps every e-mail as .eml")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--folder", type=Path, default=Path(".zll/mail"))
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port, args.folder))


if __name__ == "__main__":
    main()
