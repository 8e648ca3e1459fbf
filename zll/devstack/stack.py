"""The whole region on one machine: infrastructure plus the six services as processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from zll.devstack.infra import (
    EmbeddedPostgres,
    TansuBroker,
    port_open,
    stop_process,
    wait_for_port,
    which_python,
)
from zll.devstack.traces import endpoint_elsewhere, note_elsewhere
from zll.platform.kafka import ensure_topics
from zll.platform.settings import DEFAULT_PORTS, SERVICE_NAMES

log = logging.getLogger(__name__)

SERVICE_APPS: dict[str, str] = {name: f"services.{name}.app:create_app" for name in SERVICE_NAMES}


@dataclass(frozen=True)
class StackLayout:
    """Where the stack keeps its files and which ports it uses."""

    home: Path
    kafka_port: int = 9092
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    smtp_port: int = 0  # the local mail sink; 0 picks a free port (`zll up` uses 8025)
    traces_port: int = 0  # the local OTLP/HTTP trace receiver; 0 picks a free port (4318)
    web_port: int = 0  # the reference portal (web/); 0 picks a free port (`zll up` uses 8000)

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def run(self) -> Path:
        return self.home / "run"

    @property
    def mail(self) -> Path:
        """Where the mail sink keeps every e-mail the services sent, one .eml file each."""
        return self.home / "mail"

    @property
    def spans(self) -> Path:
        """Where the local trace receiver keeps every span it was sent (`zll trace`)."""
        return self.home / "traces" / "spans.jsonl"

    @property
    def traces_elsewhere(self) -> Path:
        """Written when traces go to the operator's OTLP endpoint, not to the receiver."""
        return self.home / "traces" / "elsewhere.txt"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"


class DevStack:
    def __init__(self, layout: StackLayout, extra_env: dict[str, str] | None = None) -> None:
        self.layout = layout
        self.postgres = EmbeddedPostgres(layout.pgdata)
        self.broker = TansuBroker(layout.kafka_port, layout.logs / "broker.log")
        self.services: dict[str, subprocess.Popen[bytes]] = {}
        self.extra_env = extra_env or {}
        self.smtp_port = layout.smtp_port or _free_port()
        self.mailsink: subprocess.Popen[bytes] | None = None
        self.traces_port = layout.traces_port or _free_port()
        self.trace_receiver: subprocess.Popen[bytes] | None = None
        # An endpoint given by the operator (Jaeger, a collector) takes the traces, and often
        # its port (4318): then the dev stack starts no receiver of its own.
        self.trace_endpoint = endpoint_elsewhere({**os.environ, **self.extra_env})
        self.web_port = layout.web_port or _free_port()
        self.web: subprocess.Popen[bytes] | None = None

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap

    def database_url(self, service: str) -> str:
        return self.postgres.uri(service)

    def start_infra(self) -> list[str]:
        """Start PostgreSQL and the broker, create the registry's topics; return those created."""
        self.layout.run.mkdir(parents=True, exist_ok=True)
        self.postgres.start()
        self.broker.start()
        self._write_pid("broker", self.broker.process)
        self.mailsink = _start_python_server(
            "zll.devstack.mailsink",
            ["--port", str(self.smtp_port), "--folder", str(self.layout.mail)],
            self.smtp_port,
            self.layout.logs / "mailsink.log",
        )
        self._write_pid("mailsink", self.mailsink)
        self.start_trace_receiver()
        services = {name: self.layout.url(name) for name in self.layout.ports}
        self.web = _start_python_server(
            "zll.devstack.web",
            ["--port", str(self.web_port), "--services", json.dumps(services)],
            self.web_port,
            self.layout.logs / "web.log",
        )
        self._write_pid("web", self.web)
        return asyncio.run(ensure_topics(self.bootstrap))

    def start_trace_receiver(self) -> None:
        """The local OTLP receiver (`zll trace`), unless the operator sends traces elsewhere."""
        note_elsewhere(self.layout.traces_elsewhere, self.trace_endpoint)
        if self.trace_endpoint is not None:
            return
        self.trace_receiver = _start_python_server(
            "zll.devstack.traces",
            ["--port", str(self.traces_port), "--file", str(self.layout.spans)],
            self.traces_port,
            self.layout.logs / "traces.log",
        )
        self._write_pid("traces", self.trace_receiver)

    def service_env(self, service: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "ZLL_KAFKA_BOOTSTRAP": self.bootstrap,
                f"ZLL_{service.upper()}_DATABASE_URL": self.database_url(service),
                f"ZLL_{service.upper()}_PORT": str(self.layout.ports[service]),
                "PYTHONUNBUFFERED": "1",
                "ZLL_NOTIFY_SMTP_HOST": "127.0.0.1",
                "ZLL_NOTIFY_SMTP_PORT": str(self.smtp_port),
            }
        )
        # The dev stack's own portal may call the APIs from the browser.
        env.setdefault(
            "ZLL_CORS_ORIGINS", f"http://127.0.0.1:{self.web_port},http://localhost:{self.web_port}"
        )
        # A development region pulls feeds its own machine serves (tests, demos), and only those.
        env.setdefault("ZLL_INTAKE_FEED_ADDRESSES", "loopback")
        env.update(self.trace_env())
        env.update(self.extra_env)
        return env

    def trace_env(self) -> dict[str, str]:
        """Where the services send traces: the local receiver, unless the operator pointed
        them elsewhere (Jaeger…); then their own OTEL_* variables pass through unchanged."""
        if self.trace_endpoint is not None:
            return {}
        return {
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{self.traces_port}",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            # See a trace within a second.
            "OTEL_BSP_SCHEDULE_DELAY": os.environ.get("OTEL_BSP_SCHEDULE_DELAY", "200"),
        }

    def start_service(self, service: str) -> subprocess.Popen[bytes]:
        port = self.layout.ports[service]
        self.layout.logs.mkdir(parents=True, exist_ok=True)
        with (self.layout.logs / f"{service}.log").open("ab") as out:
            process = subprocess.Popen(
                [
                    which_python(),
                    "-m",
                    "uvicorn",
                    SERVICE_APPS[service],
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--no-access-log",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.service_env(service),
                start_new_session=True,
            )
        self.services[service] = process
        self._write_pid(service, process)
        return process

    def start_services(self, timeout: float = 60.0) -> None:
        for service in SERVICE_NAMES:
            self.start_service(service)
        for service in SERVICE_NAMES:
            self.wait_ready(service, timeout)

    def wait_ready(self, service: str, timeout: float = 60.0) -> None:
        """Until /readyz answers 200: database migrated, consumer joined."""
        process = self.services[service]
        wait_for_port(self.layout.ports[service], timeout, process)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.layout.url(service)}/readyz", timeout=2).status_code == 200:
                    return
            if process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"{service} is not ready; see {self.layout.logs / (service + '.log')}")

    def stop_service(self, service: str) -> None:
        stop_process(self.services.pop(service, None))
        (self.layout.run / f"{service}.pid").unlink(missing_ok=True)

    def stop(self) -> None:
        """Services first (they flush and leave their groups), then broker, then PostgreSQL."""
        for service in list(self.services):
            self.stop_service(service)
        self.broker.stop()
        (self.layout.run / "broker.pid").unlink(missing_ok=True)
        for name, process in (
            ("mailsink", self.mailsink),
            ("traces", self.trace_receiver),
            ("web", self.web),
        ):
            stop_process(process)
            (self.layout.run / f"{name}.pid").unlink(missing_ok=True)
        self.postgres.stop()

    def _write_pid(self, name: str, process: subprocess.Popen[bytes] | None) -> None:
        if process is not None:
            (self.layout.run / f"{name}.pid").write_text(str(process.pid))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_python_server(
    module: str, args: list[str], port: int, log: Path
) -> subprocess.Popen[bytes]:
    """A small helper server of the dev stack (mail sink, trace receiver) as its own process."""
    if port_open(port):
        raise RuntimeError(f"port {port} is taken; is another dev stack running? (zll down)")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [which_python(), "-m", module, *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_for_port(port, 15.0, process)
    return process


def stop_strays(layout: StackLayout) -> list[str]:
    """`zll down`: stop what a stack that was killed left running, from its pid files."""
    stopped = []
    for pid_file in sorted(layout.run.glob("*.pid")) if layout.run.exists() else []:
        with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
            os.killpg(int(pid_file.read_text()), signal.SIGTERM)
            stopped.append(pid_file.stem)
        pid_file.unlink(missing_ok=True)
    EmbeddedPostgres(layout.pgdata).stop()
    return stopped


@contextlib.contextmanager
def running_stack(
    layout: StackLayout, extra_env: dict[str, str] | None = None
) -> Iterator[DevStack]:
    stack = DevStack(layout, extra_env)
    try:
        stack.start_infra()
        stack.start_services()
        yield stack
    finally:
        stack.stop()
