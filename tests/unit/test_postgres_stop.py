"""Stopping the dev stack's PostgreSQL never hangs a teardown on a busy machine."""

from __future__ import annotations

import subprocess
from pathlib import Path

from zll.devstack.infra import EmbeddedPostgres


class _Recorded(EmbeddedPostgres):
    """pg_ctl as a busy machine answers it: a fast stop outlasts its timeout."""

    def __init__(self, pgdata: Path, fast_stop_hangs: bool) -> None:
        super().__init__(pgdata)
        self.fast_stop_hangs = fast_stop_hangs
        self.calls: list[tuple[str, str]] = []

    def _pg_ctl(self, *args: str, timeout: float = 30.0, mode: str = "fast") -> None:
        self.calls.append((args[0], mode))
        if mode == "fast" and self.fast_stop_hangs:
            raise subprocess.TimeoutExpired(["pg_ctl", *args], timeout)


def _running(tmp_path: Path, fast_stop_hangs: bool) -> _Recorded:
    (tmp_path / "postmaster.pid").write_text("4242\n")
    return _Recorded(tmp_path, fast_stop_hangs)


def test_a_fast_stop_that_outlasts_its_timeout_becomes_an_immediate_one(tmp_path):
    postgres = _running(tmp_path, fast_stop_hangs=True)

    postgres.stop()

    assert postgres.calls == [("stop", "fast"), ("stop", "immediate")]


def test_a_fast_stop_in_time_is_all_there_is(tmp_path):
    postgres = _running(tmp_path, fast_stop_hangs=False)

    postgres.stop()

    assert postgres.calls == [("stop", "fast")]
