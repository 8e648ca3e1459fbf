"""`bin/zll up` as a newcomer runs it: from the checkout, saying each step once, no noise.

It starts its own region on free ports (`ZLL_*_PORT`, `ZLL_HOME`), so it never meets a
`make up` running on the default ones.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path

import httpx
import pytest
from zll_contracts.topics import TOPICS

from tests.conftest import free_port
from zll.platform.settings import SERVICE_NAMES

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_zll_up_from_the_checkout_says_what_matters_once(tmp_path: Path) -> None:
    ports = {f"ZLL_{name.upper()}_PORT": str(free_port()) for name in SERVICE_NAMES}
    env = {
        **os.environ,
        **ports,
        "ZLL_HOME": str(tmp_path / "zll"),
        "ZLL_KAFKA_PORT": str(free_port()),
        "ZLL_SMTP_PORT": str(free_port()),
        "ZLL_TRACES_PORT": str(free_port()),
        "ZLL_WEB_PORT": str(free_port()),
        "COLUMNS": "160",
    }
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    process = subprocess.Popen(
        [str(ROOT / "bin" / "zll"), "up", "--no-demo"],
        cwd=tmp_path,  # the wrapper finds its checkout wherever it is called from
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    welcomed = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip())
            if line.startswith("Stop:"):
                welcomed.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert welcomed.wait(180), "\n".join(lines)
        catalog = httpx.get(f"http://127.0.0.1:{ports['ZLL_CATALOG_PORT']}/readyz", timeout=5)
        assert catalog.status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(60)
        reader.join(10)

    output = "\n".join(lines)
    assert f"✓ topics ready ({len(TOPICS)})" in output
    assert "created" not in output
    assert "✓ services ready" in output
    assert "bin/zll token --role learner" in output
    assert ".venv/bin" not in output
    assert f"curl 'http://127.0.0.1:{ports['ZLL_CATALOG_PORT']}/courses" in output
    assert not [line for line in lines if "WARNING" in line or "setuptools" in line]
    assert lines[-1] == "stopped: services, broker, PostgreSQL"
