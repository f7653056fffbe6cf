"""What every command shares: exit codes, the stderr console, ``fail`` and ``guarded``.

Command modules (``cli.py`` and the ``cli_*.py`` next to it) import from here, and ``cli.py``
merges their Typer apps into the one ``catalog`` command.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from catalog_cli.config import ConfigError
from catalog_cli.rules import RuleLoadError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# No markup unless asked for (fail's prefix): notes and messages quote paths and user input.
err_console = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)
T = TypeVar("T")


class Lang(StrEnum):
    zh = "zh"
    en = "en"


LangOpt = Annotated[
    Lang, typer.Option("--lang", help="Language of messages and hints (中文 by default).")
]


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``catalog: error: …`` on stderr and exit (2 by default)."""
    # the message is text, never markup: it quotes paths, TOML sections ([tool.catalog]) and
    # what the user typed, any of which may hold brackets
    err_console.print(
        f"[bold red]catalog: error:[/] {escape(message)}", markup=True, soft_wrap=True
    )
    raise typer.Exit(code)


def guarded(fn: Callable[[], T], lang: str = "en") -> T:
    """Turn configuration problems into exit 2 and bugs into exit 3, never a traceback.

    A :class:`ConfigError` that has a Chinese message says it when ``lang`` is "zh"."""
    try:
        return fn()
    except ConfigError as exc:  # (a StandardError too)
        fail(exc.text(lang))
    except RuleLoadError as exc:
        fail(str(exc))
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:  # a bug: say so briefly, and how to get the details
        if os.environ.get("CATALOG_DEBUG"):
            raise
        fail(
            f"internal error: {exc!r}. This is a bug; please report it with the command you ran. "
            "Set CATALOG_DEBUG=1 to see the traceback.",
            EXIT_INTERNAL,
        )
