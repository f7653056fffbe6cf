"""Portal commands: ``export`` and ``schema`` (issue 6).

Only option parsing lives here; the work is done by modules the commands call.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from catalog_cli.clisupport import EXIT_USAGE, Lang, LangOpt, err_console, fail, guarded

commands = typer.Typer()


@commands.command("export")
def export_cmd(
    fmt: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="json (metadata + items + withdrawn), ndjson (one item per line), csv (one row "
            "per implementation item, UTF-8 with BOM) or jsonld (schema.org GovernmentService). "
            "Repeatable with --out. Default: json.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Write DIR/catalog.<format> for each format (atomically; DIR is created). "
            "Default: the one format to stdout.",
            show_default=False,
        ),
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="Statuses to export as items (repeatable or comma-separated). Default: 在用,暂停; "
            "取消 items not chosen go to the withdrawn list, 草稿 ones nowhere.",
            show_default=False,
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            metavar="CODE",
            help="Only this region (e.g. 210100), its sub-regions, and the basic items they "
            "implement.",
            show_default=False,
        ),
    ] = None,
    level: Annotated[
        list[str] | None,
        typer.Option(
            "--level",
            metavar="LEVEL",
            help="Only these levels, 1-6 (repeatable or comma-separated; a basic item matches "
            "when it lists one).",
            show_default=False,
        ),
    ] = None,
    item_type: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            metavar="TYPE",
            help="Only these item types, e.g. 01 (repeatable or comma-separated).",
            show_default=False,
        ),
    ] = None,
    allow_errors: Annotated[
        bool,
        typer.Option(
            "--allow-errors",
            help="Export even when the catalog has error-level findings (recorded in the "
            "metadata).",
        ),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="REV",
            help="Write a delta instead (catalog.delta.json): the upserts and removals that turn "
            "the export at git revision REV (e.g. the last release tag) into this one.",
            show_default=False,
        ),
    ] = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Export the published catalog for portals (json, ndjson, csv, jsonld), or a delta.

    Published items only by default: 在用, and 暂停 with its status shown; cancelled (取消)
    items are listed under withdrawn so portals can remove them. Exits 1 without writing
    anything while the catalog has error-level findings (--allow-errors overrides), 2 on a bad
    option, output folder or revision. Two exports of one commit are byte-identical.
    """
    from catalog_cli.export import ExportError, ExportRequest, run_export

    request = ExportRequest(
        formats=fmt or [],
        out=out.absolute() if out is not None else None,
        statuses=status or [],
        region=region,
        levels=level or [],
        types=item_type or [],
        allow_errors=allow_errors,
        since=since,
        lang=lang.value,
    )

    def run() -> int:
        try:
            return run_export(request, err_console)
        except ExportError as exc:
            fail(exc.text(lang.value), EXIT_USAGE)

    raise typer.Exit(guarded(run, lang.value))


@commands.command("schema")
def schema_cmd(
    item: Annotated[
        bool,
        typer.Option("--item", help="The schema of one item file instead of catalog.json."),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Write the schema to FILE (atomically) instead of stdout.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the JSON Schema (2020-12) of catalog.json (with --item: of an item file).

    catalog.json's schema is built from the tool's models and the bundled standard's element
    labels (the copy in catalog_cli/schemas/catalog.schema.json is the same document). The item
    schema also takes the code lists of the catalog the current directory belongs to.
    """
    from catalog_cli.published import render_schema

    def build() -> str:
        from catalog_cli.config import find_root
        from catalog_cli.standard import load_standard

        if item:
            from catalog_cli.item_schema import build_item_schema

            # inside a catalog, its own standards/ too: a province's extra codes belong in the
            # schema its editors use
            root = find_root(Path.cwd())
            standard = load_standard(root / "standards" if root is not None else None)
            schema: dict[str, Any] = build_item_schema(standard)
            return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        return render_schema()

    text = guarded(build)
    if out is None:
        typer.echo(text, nl=False)
        return

    def write() -> None:
        from catalog_cli.atomic import write_atomic

        if out.is_dir():
            fail(f"--out {out} is a folder; give a file name, e.g. {out / 'catalog.schema.json'}")
        try:
            write_atomic(out, text)
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror or exc}")

    guarded(write)
