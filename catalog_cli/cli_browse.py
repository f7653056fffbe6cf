"""Browsing commands: ``show``, ``search`` and ``stats`` (issue 7).

Only option parsing lives here; the work is done by ``catalog_cli.browsing``.
Exit codes: 0 ok; 1 ``search`` found nothing (like grep); 2 unknown code (``show``, with the
closest codes suggested), unknown region, no catalog or no item files; 3 internal error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

import typer

from catalog_cli.clisupport import Lang, LangOpt, err_console, fail, guarded

commands = typer.Typer()


class TextJson(StrEnum):
    text = "text"
    json = "json"


class StatsFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


class KindChoice(StrEnum):
    basic = "basic"
    implementation = "implementation"
    local = "local"


class ByChoice(StrEnum):
    region = "region"
    type = "type"
    level = "level"
    department = "department"


# --kind implementation means 实施清单 as staff use the word: with or without a basic code
_KINDS = {
    KindChoice.basic: {"basic"},
    KindChoice.implementation: {"implementation", "local"},
    KindChoice.local: {"local"},
}

RegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region",
        metavar="CODE",
        help="Only implementation and local items within this region (e.g. 21, 2101, 210102); "
        "basic items have no region and are left out.",
        show_default=False,
    ),
]


def _checked(work: Callable[[], int], lang: Lang) -> int:
    """Bad values (unknown code or region) exit 2 with their message; else the exit code."""
    # imported here, not at the top: every `catalog` command would pay for the search index
    from catalog_cli import browsing
    from catalog_cli.showing import UnknownCode

    try:
        return work()
    except browsing.BrowseError as exc:
        fail(str(exc))
    except UnknownCode as exc:
        fail(exc.message(lang.value))


@commands.command("show")
def show_cmd(
    code: Annotated[
        str,
        typer.Argument(
            help="A basic code (12 digits), implementation code (31 characters) or local code.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        TextJson,
        typer.Option("--format", "-f", help="text (a panel) or json (the published record)."),
    ] = TextJson.text,
    lang: LangOpt = Lang.zh,
) -> None:
    """Show one item complete: inherited elements resolved, a label next to every code.

    A basic item also lists its implementation items. An unknown code exits 2 and suggests the
    closest codes and names.
    """
    from catalog_cli import browsing  # here: other commands need not import it

    raise typer.Exit(
        guarded(
            lambda: _checked(
                lambda: browsing.run_show(code, fmt.value, lang.value, sys.stdout, err_console),
                lang,
            ),
            lang.value,
        )
    )


@commands.command("search")
def search_cmd(
    text: Annotated[
        str, typer.Argument(help="A name, part of a name, or a code.", show_default=False)
    ],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="Show at most this many hits.")
    ] = 10,
    kind: Annotated[
        KindChoice | None,
        typer.Option(
            "--kind",
            help="Only basic items, implementation items (with or without a basic code), or "
            "local items (without one).",
            show_default=False,
        ),
    ] = None,
    region: RegionOpt = None,
    fmt: Annotated[
        TextJson, typer.Option("--format", "-f", help="text (a table) or json.")
    ] = TextJson.text,
    lang: LangOpt = Lang.zh,
) -> None:
    """Find items by name or code, fuzzy and ranked, and say why each one matches.

    Names are compared after the same normalization as duplicate detection (full/half width,
    traditional characters, level tags, filler words, renamed terms). Exit 1 when nothing
    matches (like grep).
    """
    from catalog_cli import browsing  # here: other commands need not import it

    kinds = _KINDS[kind] if kind is not None else None
    raise typer.Exit(
        guarded(
            lambda: _checked(
                lambda: browsing.run_search(
                    text, limit, kinds, region, fmt.value, lang.value, sys.stdout, err_console
                ),
                lang,
            ),
            lang.value,
        )
    )


@commands.command("stats")
def stats_cmd(
    by: Annotated[
        ByChoice | None,
        typer.Option(
            "--by",
            help="Compare groups: one row of figures per region, type, level or department.",
            show_default=False,
        ),
    ] = None,
    region: RegionOpt = None,
    fmt: Annotated[
        StatsFormat,
        typer.Option(
            "--format", "-f", help="text (tables), json, or csv (UTF-8 with BOM, for Excel)."
        ),
    ] = StatsFormat.text,
    lang: LangOpt = Lang.zh,
) -> None:
    """Count items and measure the reforms: 最多跑一次, 零跑动, 全程网办, 即办件, time-limit cuts.

    Counts per type, level, region and department; element completeness; each share says how
    many items it covers (README: how every figure is defined).
    """
    from catalog_cli import browsing  # here: other commands need not import it

    by_ = by.value if by is not None else None
    raise typer.Exit(
        guarded(
            lambda: _checked(
                lambda: browsing.run_stats(
                    by_, region, fmt.value, lang.value, sys.stdout, err_console
                ),
                lang,
            ),
            lang.value,
        )
    )
