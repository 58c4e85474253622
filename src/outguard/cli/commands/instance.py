"""`outguard init`, `serve`, `worker`, `db upgrade|current`."""

from __future__ import annotations

import typer

from outguard.cli.context import CliContext
from outguard.cli.output import console, print_json
from outguard.db import make_engine
from outguard.db.migrate import current_revision, head_revision, upgrade
from outguard.instance import HomeExistsError, InstancePaths, init_home
from outguard.types import SystemClock

db_app = typer.Typer(
    help="Database schema: upgrade to the newest migration, show the current one.",
    no_args_is_help=True,
)


def init(
    ctx: typer.Context,
    if_missing: bool = typer.Option(
        False,
        "--if-missing",
        help="Do nothing (successfully) when the instance already exists.",
    ),
) -> None:
    """Create a new instance in OUTGUARD_HOME: folder, application key, migrated database.

    Refuses to touch an existing instance (its keys would be lost).
    """
    cli: CliContext = ctx.obj
    settings = cli.settings
    if InstancePaths(settings.home).exists and if_missing:
        console.print(f"Instance in [bold]{settings.home}[/] already exists.")
        return
    try:
        init_home(settings, now=SystemClock().now())
    except HomeExistsError as exc:
        raise HomeExistsError(
            exc.message + " (`outguard init --if-missing` to accept an existing one)"
        ) from None
    console.print(
        f"[green]Created[/] an outguard instance in [bold]{settings.home.resolve()}[/]"
    )
    console.print("Next: `outguard demo` for demo data, then `outguard serve`.")


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    worker: bool = typer.Option(
        True,
        "--worker/--no-worker",
        help="Run the job worker inside the server process.",
    ),
) -> None:
    """Serve the web interface and the API."""
    from outguard.web.server import run_server  # noqa: PLC0415 - heavy import only when serving
    from outguard.worker.main import start_worker_thread  # noqa: PLC0415

    cli: CliContext = ctx.obj
    cli.require_instance()
    _ = cli.session_factory  # refuses an unmigrated database before binding the port
    thread = None
    if worker and cli.settings.jobs.run_in_process:
        thread = start_worker_thread(cli.settings)
    console.print(
        f"outguard is listening on [bold]http://{host}:{port}[/]  (Ctrl+C stops it)"
    )
    try:
        run_server(cli.settings, host=host, port=port)
    finally:
        if thread is not None:
            thread.stop()


def worker(ctx: typer.Context) -> None:
    """Run a standalone job worker (for setups with several app instances)."""
    from outguard.worker.main import run_worker  # noqa: PLC0415 - only this command needs it

    cli: CliContext = ctx.obj
    cli.require_instance()
    run_worker(cli.settings)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Upgrade the database schema to the newest migration."""
    cli: CliContext = ctx.obj
    cli.require_instance()
    upgrade(cli.settings.database_url)
    console.print(f"Database at revision [bold]{head_revision()}[/].")


@db_app.command("current")
def db_current(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show the database's migration revision and the newest one."""
    cli: CliContext = ctx.obj
    cli.require_instance()
    engine = make_engine(cli.settings.database_url)
    current, head = current_revision(engine), head_revision()
    engine.dispose()
    if json_output:
        print_json({"current": current, "head": head, "up_to_date": current == head})
        return
    state = "[green]up to date[/]" if current == head else "[yellow]upgrade needed[/]"
    console.print(f"current {current}  head {head}  {state}")
