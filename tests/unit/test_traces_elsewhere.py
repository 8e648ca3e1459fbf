"""`make up` beside a Jaeger: an OTLP endpoint given by the operator replaces the dev stack's
own receiver, which would otherwise want Jaeger's port 4318 and stop `make up`."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zll.cli import app
from zll.devstack.infra import stop_process
from zll.devstack.stack import DevStack, StackLayout
from zll.devstack.traces import endpoint_elsewhere

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


@pytest.fixture(autouse=True)
def no_endpoint_from_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENDPOINT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def jaeger_port() -> Iterator[int]:
    """A port something else (a local Jaeger) already listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_an_endpoint_in_either_variable_sends_the_traces_elsewhere() -> None:
    assert endpoint_elsewhere({}) is None
    assert endpoint_elsewhere({"OTEL_EXPORTER_OTLP_ENDPOINT": "  "}) is None
    jaeger = "http://127.0.0.1:4318"
    assert endpoint_elsewhere({"OTEL_EXPORTER_OTLP_ENDPOINT": jaeger}) == jaeger
    both = {"OTEL_EXPORTER_OTLP_ENDPOINT": jaeger, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://t"}
    assert endpoint_elsewhere(both) == "http://t"  # the traces-only variable wins, as in the SDK


def test_without_an_endpoint_a_taken_port_still_stops_the_stack(
    tmp_path: Path, jaeger_port: int
) -> None:
    stack = DevStack(StackLayout(home=tmp_path, traces_port=jaeger_port))
    with pytest.raises(RuntimeError, match="is taken"):
        stack.start_trace_receiver()


def test_with_an_endpoint_no_receiver_starts_and_zll_trace_says_where_they_went(
    tmp_path: Path, jaeger_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    jaeger = f"http://127.0.0.1:{jaeger_port}"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", jaeger)
    stack = DevStack(StackLayout(home=tmp_path, traces_port=jaeger_port))

    stack.start_trace_receiver()  # no "port … is taken"

    assert stack.trace_receiver is None
    assert stack.trace_env() == {}  # the services read the operator's OTEL_* variables
    traced = CliRunner().invoke(app, ["trace"], env={"ZLL_HOME": str(tmp_path)})
    assert traced.exit_code == 1
    assert f"traces went to {jaeger}" in " ".join(traced.output.split())


def test_a_later_stack_without_an_endpoint_receives_them_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    DevStack(StackLayout(home=tmp_path)).start_trace_receiver()
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT")
    stack = DevStack(StackLayout(home=tmp_path))
    stack.layout.run.mkdir(parents=True)
    try:
        stack.start_trace_receiver()
        assert stack.trace_receiver is not None
        own = f"http://127.0.0.1:{stack.traces_port}"
        assert stack.trace_env()["OTEL_EXPORTER_OTLP_ENDPOINT"] == own
    finally:
        stop_process(stack.trace_receiver)
    traced = CliRunner().invoke(app, ["trace"], env={"ZLL_HOME": str(tmp_path)})
    assert "no traces of any record" in traced.output  # the local store, not "went to …"
    assert "went to" not in traced.output
