"""The ``catalog`` command line. Commands only parse options and call the engine.

Exit codes (every command): 0 no error-level findings; 1 error-level findings (warnings too
with ``--strict``); 2 usage or configuration error; 3 internal error (a bug: please report it).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from catalog_cli import __version__
from catalog_cli.config import ConfigError
from catalog_cli.engine import Options, open_session, validate
from catalog_cli.reporters import REPORTERS, Report
from catalog_cli.rules import RuleLoadError
from catalog_cli.standard import StandardError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    name="catalog",
    help="Keep a catalog of government service items (政务服务事项) same item, same standard, "
    "same code: validate item files, find duplicates across levels, import and export.",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
)

err_console = Console(stderr=True, highlight=False)
T = TypeVar("T")


class Lang(StrEnum):
    zh = "zh"
    en = "en"


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``catalog: error: …`` on stderr and exit (2 by default)."""
    err_console.print(f"[bold red]catalog: error:[/] {message}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


def guarded(fn: Callable[[], T]) -> T:
    """Turn configuration problems into exit 2 and bugs into exit 3, never a traceback."""
    try:
        return fn()
    except (ConfigError, StandardError, RuleLoadError) as exc:
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


def _version(value: bool) -> None:
    if value:
        typer.echo(f"catalog {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Catalog tool for government service items."""



def _check_format(value: str) -> str:
    if value not in REPORTERS:
        raise typer.BadParameter(f"'{value}' is not one of {', '.join(sorted(REPORTERS))}")
    return value


PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Item files or folders. Default: the items/ folder of the catalog the current "
        "directory belongs to.",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        callback=_check_format,
        help="Output format: " + ", ".join(f"{n} ({r.description})" for n, r in sorted(REPORTERS.items())) + ".",
    ),
]
LangOpt = Annotated[
    Lang, typer.Option("--lang", help="Language of messages and hints (中文 by default).")
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Exit 1 on warnings too, not only on errors.")
]
SelectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--select", help="Run only these rules (codes like COD003, prefixes like COD, or names)."
    ),
]
IgnoreOpt = Annotated[
    list[str] | None, typer.Option("--ignore", help="Skip these rules (codes, prefixes or names).")
]


def _output(report: Report, fmt: str) -> None:
    REPORTERS[fmt].render(report, sys.stdout)
    sys.stdout.flush()


@app.command("validate")
def validate_cmd(
    paths: PathsArg = None,
    fmt: FormatOpt = "text",
    lang: LangOpt = Lang.zh,
    strict: StrictOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
) -> None:
    """Check item files against the standard; exit 1 when there are errors.

    Every finding has a rule code, file, line and column; `catalog rules CODE` explains it.
    """
    options = Options(
        paths=[p.absolute() for p in paths or []],
        lang=lang.value,
        select=select or [],
        ignore=ignore or [],
        strict=strict,
    )
    result = guarded(lambda: validate(options))
    report = Report(
        result.findings, result.files, lang.value, result.documents, version=__version__
    )
    guarded(lambda: _output(report, fmt))
    raise typer.Exit(result.exit_code(strict))


@app.command("rules")
def rules_cmd(
    code: Annotated[
        str | None, typer.Argument(help="A rule code or name: print its documentation.")
    ] = None,
    lang: LangOpt = Lang.zh,
    as_json: Annotated[bool, typer.Option("--json", help="List the rules as JSON.")] = False,
) -> None:
    """List the rules, or explain one (why it exists, a bad and a good example)."""
    session = guarded(lambda: open_session(Path.cwd()) if _in_catalog() else None)
    from catalog_cli.rules import discover_rules

    rules = session.rules if session else guarded(lambda: discover_rules(None))
    if code is not None:
        match = [r for r in rules if code.upper() == r.code or code == r.name]
        if not match:
            fail(f"no rule '{code}'; 'catalog rules' lists them")
        r = match[0]
        title = r.summary_zh if lang == Lang.zh else r.summary
        out = Console(highlight=False)
        out.print(f"[bold]{r.code}[/] {r.name} ({r.severity.value}) — {title}")
        out.print(Markdown(r.doc()))
        return
    if as_json:
        rows = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "summary": r.summary_zh if lang == Lang.zh else r.summary,
                "source": r.source,
            }
            for r in rules
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("code", "name", "severity", "summary", box=None, pad_edge=False)
    for r in rules:
        table.add_row(r.code, r.name, r.severity.value, r.summary_zh if lang == Lang.zh else r.summary)
    Console(highlight=False).print(table)


def _in_catalog() -> bool:
    from catalog_cli.config import find_root

    return find_root(Path.cwd()) is not None


def main() -> None:
    """Console-script entry point."""
    app()
