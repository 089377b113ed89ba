"""The `voxloop` command: set up, seed the demo, run the server and the worker, administer."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from voxloop.cli.base import SETTINGS_MODULE, CliError


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="voxloop", prog_name="voxloop")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Voxloop: open-source customer-experience management (listen, act, analyze).

    Start with `voxloop init`, add sample data with `voxloop demo`, run with `voxloop serve`.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def _register() -> None:
    from voxloop.cli import (
        analytics_cmd,
        cluster,
        demo_cmd,
        import_cmd,
        people,
        privacy_cmd,
        running,
        text_cmd,
    )

    for command in (
        people.init,
        demo_cmd.demo,
        running.serve,
        running.worker,
        running.check,
        cluster.cluster,
        people.createuser,
        people.token,
        people.units,
        import_cmd.import_group,
        running.manage,
        analytics_cmd.analytics,
        privacy_cmd.privacy,
        text_cmd.text,
    ):
        cli.add_command(command)


_register()


def _say_error(message: str) -> None:
    message = " ".join(message.split()).rstrip(".")
    click.echo(f"voxloop: error: {message}", err=True)


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code; every failure becomes one line on stderr."""
    from voxloop.errors import DomainError

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="voxloop",
            standalone_mode=False,
        )
    except click.UsageError as error:
        where = error.ctx.command_path if error.ctx else "voxloop"
        _say_error(f"{error.format_message().rstrip('.')} (see: {where} --help)")
        return 2
    except CliError as error:
        _say_error(error.format_message())
        return 1
    except click.ClickException as error:
        _say_error(error.format_message())
        return error.exit_code or 1
    except (click.Abort, KeyboardInterrupt, EOFError):
        _say_error("aborted")
        return 130
    except DomainError as error:
        _say_error(error.message)
        return 1
    except Exception as error:
        if os.environ.get("VOXLOOP_DEBUG", "").lower() in {"1", "true", "yes", "on"}:
            raise
        return _unexpected(error)
    return result if isinstance(result, int) else 0


def _unexpected(error: Exception) -> int:
    from django.core.management.base import CommandError
    from django.db import DatabaseError

    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    if isinstance(error, CommandError):
        _say_error(first.removeprefix("Error: "))
    elif isinstance(error, DatabaseError):
        _say_error(f"database error: {first} (is the database up? did you run: voxloop init)")
    else:
        _say_error(f"{type(error).__name__}: {first} (set VOXLOOP_DEBUG=1 for the traceback)")
    return 1


def main(argv: Sequence[str] | None = None) -> None:
    sys.exit(run(argv))
