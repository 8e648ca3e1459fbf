"""The dev stack, started once per test session: real PostgreSQL, real broker, real services."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from zll.devstack.stack import DevStack, StackLayout
from zll.platform.settings import SERVICE_NAMES


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """PostgreSQL and the broker with every topic of the registry; no services yet."""
    home: Path = tmp_path_factory.mktemp("zll")
    layout = StackLayout(
        home=home, kafka_port=free_port(), ports={name: free_port() for name in SERVICE_NAMES}
    )
    stack = DevStack(layout)
    try:
        stack.start_infra()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def region(infra: DevStack) -> DevStack:
    """The five services running as processes against the session's infrastructure."""
    infra.start_services()
    return infra
