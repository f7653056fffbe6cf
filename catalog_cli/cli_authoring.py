"""Authoring commands: ``new`` and ``fmt`` (issue 7).

Only option parsing (and the terminal prompts) lives here; the work is done by
:mod:`catalog_cli.authoring` and :mod:`catalog_cli.formatting`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.prompt import Confirm, Prompt

from catalog_cli.clisupport import EXIT_FINDINGS, Lang, LangOpt, err_console, fail, guarded

commands = typer.Typer()


class TerminalAsker:
    """Questions on stderr (stdout stays the command's output), answers from stdin."""

    def ask(self, prompt: str, default: str | None = None) -> str:
        if default is None:
            return Prompt.ask(prompt, console=err_console)
        return Prompt.ask(prompt, console=err_console, default=default)

    def confirm(self, prompt: str) -> bool:
        return Confirm.ask(prompt, console=err_console, default=True)

    def say(self, text: str) -> None:
        err_console.print(text, markup=False)


@commands.command("new")
def new_cmd(
    basic: Annotated[
        str | None,
        typer.Option("--basic", metavar="CODE", help="Basic code of the item to implement."),
    ] = None,
    basic_name: Annotated[
        str | None,
        typer.Option(
            "--basic-name",
            metavar="TEXT",
            help="Find the basic item by (part of) its name; several matches are listed.",
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", metavar="CODE", help="Region code (6, 9 or 12 digits)."),
    ] = None,
    level: Annotated[
        int | None,
        typer.Option(
            "--level", min=1, max=6, help="Level 1-6 (default: the region's level, e.g. 4 county)."
        ),
    ] = None,
    body_name: Annotated[
        str | None, typer.Option("--body-name", help="Name of the implementing body (实施主体).")
    ] = None,
    credit_code: Annotated[
        str | None,
        typer.Option(
            "--credit-code", help="The body's 统一社会信用代码 (18 characters, both checks pass)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="PATH",
            help="File (*.yaml) or folder to write to. Default: "
            "items/implementation/<region>/<implementation code>.yaml.",
        ),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Never ask: missing or bad values are errors (exit 2)."),
    ] = False,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            "-i",
            help="Ask for missing or bad values even when stdin is not a terminal.",
        ),
    ] = False,
    lang: LangOpt = Lang.zh,
) -> None:
    """Scaffold an implementation item: its codes computed, inherited elements filled.

    Choose the basic item (by code, or fuzzy search on its name), the region and the implementing
    body; every value is checked on entry. The file lists every required element with its
    Chinese label; what only the body knows is left as a TODO, which `catalog validate` reports
    until it is filled in. At a terminal, missing or bad values are asked for (again, with the
    reason). Prints the new file's path. Exit 1 when the file exists (never overwritten) or
    nothing was written, 2 on a missing or bad value without a terminal.
    """
    from catalog_cli.authoring import NewError, NewRequest, run_new

    missing = (basic is None and basic_name is None) or None in (region, body_name, credit_code)
    ask = interactive or (not yes and missing and sys.stdin.isatty())
    request = NewRequest(
        basic=basic,
        basic_name=basic_name,
        region=region,
        level=level,
        body_name=body_name,
        credit_code=credit_code,
        out=out.absolute() if out is not None else None,
        lang=lang.value,
    )

    def run() -> tuple[str, list[str]]:
        try:
            written = run_new(request, TerminalAsker() if ask else None, Path.cwd())
        except NewError as exc:
            fail(exc.text.get(lang.value), exc.code)
        except EOFError:  # the input ended before every question was answered
            fail("输入已结束，未写入文件。" if lang == Lang.zh else "input ended; nothing written",
                 EXIT_FINDINGS)  # fmt: skip
        return written.relpath, written.todos

    relpath, todos = guarded(run, lang.value)
    typer.echo(relpath)
    if todos:
        listed = ", ".join(todos)
        err_console.print(
            f"待填写（TODO）：{listed}" if lang == Lang.zh else f"to fill in (TODO): {listed}",
            markup=False,
        )


@commands.command("fmt")
def fmt_cmd(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Item files or folders. Default: the catalog's items (as `validate` checks).",
            show_default=False,
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; print a diff and exit 1 if any file would change (CI)."
        ),
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Write nothing; print what would change as a diff.")
    ] = False,
    lang: LangOpt = Lang.zh,
) -> None:
    """Format item files: canonical key order, quoting and indentation.

    Keys follow the element table (unknown keys after them), codes are double-quoted, other text
    is quoted only when it must be, indentation is 2 (lists as "  - "). Values are never changed
    and every comment is kept, moving with the key below it; the first line points editors at
    the item schema. Files are replaced atomically; a file with a YAML error, or read-only, is
    reported and left as it is. Exit 0 done, 1 when a file could not be formatted or (--check)
    would change, 2 on a bad path or no catalog.
    """
    from catalog_cli.formatting import run_fmt

    code = guarded(
        lambda: run_fmt(
            paths or [], check=check, diff=diff, lang=lang.value, out=sys.stdout, err=err_console
        ),
        lang.value,
    )
    raise typer.Exit(code)
