"""Adapters that send one delivery: e-mail over SMTP, signed webhooks over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

import aiosmtplib
import httpx
from standardwebhooks.webhooks import Webhook as Signer

from services.notify import store_deliveries as queue
from services.notify.config import NotifySettings


class DeliveryError(Exception):
    """A receiver answered, but not with success."""


def message_id(key: str, domain_name: str) -> str:
    """Stable per notification: a resend after a crash is recognisably the same e-mail."""
    return f"<{key}@{domain_name}>"


def webhook_id(key: str) -> str:
    """Stable per notification: every retry and replay carries the same webhook-id."""
    return f"msg_{key}"


def email_for(due: queue.Due, settings: NotifySettings) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = due.target
    mail["Subject"] = due.subject
    mail["Message-ID"] = message_id(due.key, settings.message_id_domain)
    mail["Date"] = format_datetime(due.created_at)
    mail["Content-Language"] = due.locale
    # Tells autoresponders not to answer, per RFC 3834.
    mail["Auto-Submitted"] = "auto-generated"
    mail["X-ZLL-Notification"] = due.kind
    mail.set_content(due.text)
    mail.add_alternative(due.html, subtype="html")
    return mail


def webhook_body(due: queue.Due) -> str:
    """The Standard Webhooks payload shape: `{type, timestamp, data}`."""
    return json.dumps(
        {
            "type": f"zll.notification.{due.kind}",
            "timestamp": due.created_at.isoformat(),
            "data": {
                "notification_id": due.notification_id,
                "kind": due.kind,
                "category": due.category,
                "recipient": {"kind": due.recipient.kind, "id": due.recipient.id},
                "locale": due.locale,
                "subject": due.subject,
                "text": due.text,
                "details": due.data,
            },
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def signed_headers(due: queue.Due, body: str, secret: str, now: datetime) -> dict[str, str]:
    msg_id = webhook_id(due.key)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Signer(secret).sign(msg_id, now, body),
        "content-type": "application/json",
        "user-agent": "zll-notify",
    }


class EmailSender:
    """Keeps a few SMTP sessions open and sends one message per session at a time.

    A session per message costs a connect, EHLO and QUIT each time; reusing them is what
    makes bulk mail (a withdrawn course with 30 learners) fast.
    """

    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings
        self._idle: asyncio.Queue[aiosmtplib.SMTP] = asyncio.Queue()
        for _ in range(settings.smtp_connections):
            self._idle.put_nowait(self._client())

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            start_tls=s.smtp_starttls,
            timeout=s.smtp_timeout_seconds,
        )

    async def __call__(self, due: queue.Due) -> None:
        mail = email_for(due, self.settings)
        client = await self._idle.get()
        try:
            await self._send(client, mail)
        except BaseException:
            client.close()  # a broken session is replaced, never reused
            client = self._client()
            raise
        finally:
            self._idle.put_nowait(client)

    async def _send(self, client: aiosmtplib.SMTP, mail: EmailMessage) -> None:
        if not client.is_connected:
            await client.connect()
            await client.send_message(mail)
            return
        try:
            await client.send_message(mail)
        except aiosmtplib.SMTPServerDisconnected:
            # The server dropped an idle session; that says nothing about this message.
            client.close()
            await client.connect()
            await client.send_message(mail)

    async def close(self) -> None:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client.is_connected:
                with contextlib.suppress(Exception):
                    await client.quit()


class WebhookSender:
    """One small connection pool per receiver (scheme, host, port): a bulkhead.

    A receiver that hangs can hold at most its own few connections; a delivery waiting for
    one of them gives up after `webhook_queue_seconds` and is retried later, so a slow
    receiver never fills the dispatcher's slots for long.
    """

    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings
        self._receivers: dict[str, tuple[httpx.AsyncClient, asyncio.Semaphore]] = {}

    def _receiver(self, url: str) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        found = self._receivers.get(origin)
        if found is None:
            per = self.settings.webhook_connections_per_receiver
            client = httpx.AsyncClient(
                limits=httpx.Limits(max_connections=per, max_keepalive_connections=per),
                timeout=httpx.Timeout(self.settings.webhook_timeout_seconds),
                follow_redirects=False,
            )
            # Our own gate in front of httpx's pool: its pool gets slow with many waiters.
            found = self._receivers[origin] = (client, asyncio.Semaphore(per))
        return found

    async def __call__(self, due: queue.Due) -> None:
        if not due.webhook_url or not due.webhook_secret:
            raise DeliveryError("the partner has no webhook any more")
        body = webhook_body(due)
        client, gate = self._receiver(due.webhook_url)
        try:
            await asyncio.wait_for(gate.acquire(), self.settings.webhook_queue_seconds)
        except TimeoutError:
            raise DeliveryError(f"{due.webhook_url} is busy with other deliveries") from None
        try:
            # Signed as late as possible: receivers may refuse old timestamps.
            headers = signed_headers(due, body, due.webhook_secret, datetime.now(UTC))
            response = await client.post(due.webhook_url, content=body.encode(), headers=headers)
        finally:
            gate.release()
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"HTTP {response.status_code} from {due.webhook_url}")

    async def close(self) -> None:
        for client, _ in self._receivers.values():
            await client.aclose()
        self._receivers.clear()
