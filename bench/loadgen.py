"""An open-loop HTTP/1.1 load generator: requests leave at a fixed arrival rate, whatever the
server does, so queueing shows in the latencies instead of slowing the senders down.

Plain asyncio streams over keep-alive connections, the request bytes prepared beforehand and
the response read by its Content-Length: a few microseconds of client work per request, far
below what httpx spends (the rush bench measures the generator against /healthz in the same
run to show it is not the bottleneck). Each latency counts from the moment the request was
due, not from when it was sent, so a late send is charged to the latency too (no coordinated
omission).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.harness import percentile


@dataclass
class LoadResult:
    rate: float
    seconds: float
    latencies: list[float] = field(default_factory=list)  # due → last byte read, seconds
    send_lags: list[float] = field(default_factory=list)  # due → written, seconds
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    bodies: list[bytes] = field(default_factory=list)
    cpu_ms: float = 0.0  # the server's CPU per request, when the caller measured it
    machine_cores: float = 0.0  # busy cores of the machine in the window, when measured
    machine: str = ""  # ... and whose they were

    def p(self, q: float) -> float:
        """The q-th percentile latency in milliseconds."""
        return percentile(self.latencies, q) * 1000.0

    def send_lag_p99_ms(self) -> float:
        return percentile(self.send_lags, 99) * 1000.0

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if status < 400)


def request_bytes(
    method: str, url: str, *, body: bytes = b"", headers: dict[str, str] | None = None
) -> bytes:
    """One HTTP/1.1 keep-alive request, ready to write."""
    parts = urlsplit(url)
    lines = [f"{method} {parts.path or '/'} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT"):
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# uvicorn closes a keep-alive connection idle for 5 s; one reused just then fails as the
# server closes it. Clients (httpx included) expire theirs earlier, and so does this one: in
# a full run a few requests a rate failed this way, a fault of the generator, not the service.
KEEP_ALIVE_S = 4.0


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.last_used = time.perf_counter()

    def expired(self) -> bool:
        return time.perf_counter() - self.last_used >= KEEP_ALIVE_S

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length) if length else b""
        self.last_used = time.perf_counter()
        return status, body

    def close(self) -> None:
        self.writer.close()


async def open_loop(
    base_url: str,
    make_request: Callable[[int], bytes],
    *,
    rate: float,
    seconds: float,
    max_connections: int = 1000,
    keep_bodies: bool = False,
) -> LoadResult:
    """Send `rate * seconds` requests (`make_request(n)`) at `rate` a second, each on an idle
    keep-alive connection or a new one; wait for every answer."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    result = LoadResult(rate, seconds)
    idle: list[_Connection] = []
    slots = asyncio.Semaphore(max_connections)

    async def one(n: int, due: float) -> None:
        async with slots:
            while idle and idle[-1].expired():
                idle.pop().close()
            connection = (
                idle.pop() if idle else _Connection(*await asyncio.open_connection(host, port))
            )
            try:
                result.send_lags.append(time.perf_counter() - due)
                status, body = await connection.exchange(make_request(n))
            except (OSError, asyncio.IncompleteReadError, ValueError):
                connection.close()
                result.errors += 1
                return
            result.latencies.append(time.perf_counter() - due)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if keep_bodies:
                result.bodies.append(body)
            idle.append(connection)

    tasks = []
    start = time.perf_counter()
    for n in range(int(rate * seconds)):
        due = start + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, due)))
    await asyncio.gather(*tasks)
    for connection in idle:
        connection.close()
    return result
