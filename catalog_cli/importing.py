"""``catalog import``: the run behind the command (the CLI only parses its options)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.progress import Progress

from catalog_cli import importer, writer
from catalog_cli.config import ConfigError, find_root


def _usage(message: str) -> NoReturn:
    """An unusable file or option: the CLI prints it and exits 2."""
    raise ConfigError(message)


def run_import(
    file: Path | None,
    mapping: Path | None,
    region: str | None,
    catalog: Path | None,
    update: bool,
    dry_run: bool,
    template: Path | None,
    sheet: str | None,
    encoding: str | None,
    max_mb: int,
    lang: str,
    err_console: Console,
) -> int:
    """``catalog import``: returns the exit code (0 all rows imported or unchanged, 1 rows
    rejected); unusable files and options raise ConfigError (exit 2)."""

    def say(t: importer.Text) -> str:
        return t.get(lang)

    if template is not None:
        if file is not None:
            _usage("give either FILE or --template, not both")
        if template.suffix.lower() not in (".xlsx", ".csv"):
            _usage(f"--template {template}: the template must be a .xlsx or .csv file")
        if template.exists():
            _usage(f"--template {template}: the file exists; it is not overwritten")
        writer.write_template(template)
        Console(highlight=False).print(f"{template}: {len(importer.HEADERS)} headers", markup=False)
        return 0
    if file is None:
        _usage("missing FILE (or --template PATH); see 'catalog import --help'")
    if region is not None and not region.strip():
        _usage("--region: empty region code")
    if catalog is not None:
        root = catalog.absolute()
        if not root.is_dir():
            _usage(f"--catalog {catalog}: not a folder")
    else:
        found = find_root(Path.cwd())
        if found is None:
            _usage(
                f"no catalog found at {Path.cwd()} or above it (no items/, catalog.toml or "
                "[tool.catalog]); run the command inside a catalog or pass --catalog DIR"
            )
        root = found
    if (root / "items").exists() and not (root / "items").is_dir():
        _usage(f"{root / 'items'} is not a folder")
    try:
        table_map = importer.load_mapping(mapping) if mapping is not None else {}
        table = importer.read_table(
            file, sheet=sheet, encoding=encoding, max_bytes=max_mb * 1024 * 1024
        )
        headers = importer.find_header(table, table_map)
        columns = importer.resolve_columns(table, headers, table_map)
    except importer.ImportFileError as exc:
        _usage(say(exc.text))
    for note in table.notes:
        err_console.print(say(note), markup=False, soft_wrap=True)
    rows = list(importer.data_rows(table, columns))
    results = (importer.build_item(row, table, region) for row in rows)
    summary = writer.Summary()
    try:
        with Progress(console=err_console, transient=True, disable=len(rows) <= 2000) as bar:
            task = bar.add_task("import", total=len(rows))
            writer.apply(
                results,
                root,
                update=update,
                dry_run=dry_run,
                summary=summary,
                advance=lambda: bar.advance(task),
            )
    except writer.WriteError as exc:
        import_report(summary, file, table, dry_run, lang)
        _usage(
            f"cannot write {exc}; the files written before it are complete, none is half-written"
        )
    import_report(summary, file, table, dry_run, lang)
    return 1 if summary.count("rejected") else 0


def import_report(
    summary: writer.Summary, file: Path, table: importer.Table, dry_run: bool, lang: str
) -> None:
    """One line per row that needs attention, then the counts (stdout)."""
    zh = lang == "zh"
    unit = table.unit_zh if zh else table.unit_en
    out = Console(highlight=False, markup=False, soft_wrap=True)  # (file and item names are text)
    verbs = {
        "created": ("将新建", "would create") if dry_run else ("新建", "created"),
        "updated": ("将更新", "would update") if dry_run else ("更新", "updated"),
        "skipped": ("跳过", "skipped"),
        "duplicate": ("重复", "duplicate"),
        "rejected": ("拒绝", "rejected"),
    }
    for a in summary.actions:
        where = f"第 {a.row} {unit}" if zh else f"{unit} {a.row}"
        show = a.status in ("skipped", "duplicate", "rejected") or (
            dry_run and a.status in ("created", "updated")
        )
        if show:
            verb = verbs[a.status][0 if zh else 1]
            detail = a.reason.get(lang) if a.reason else a.relpath
            out.print(
                f"{where}：{verb}：{detail}" if zh else f"{where}: {verb}: {detail}", markup=False
            )
        for note in a.notes:
            out.print(
                f"{where}：注意：{note.zh}" if zh else f"{where}: note: {note.en}", markup=False
            )
    n = summary.count
    written = n("created", "updated")
    if zh:
        line = (
            f"{file.name}：{'将写入' if dry_run else '写入'} {written}（新建 {n('created')}，"
            f"更新 {n('updated')}），未变 {n('unchanged')}，跳过 {n('skipped')}，"
            f"重复 {n('duplicate')}，拒绝 {n('rejected')}"
        )
        if dry_run:
            line += "（演练，未写入任何文件）"
    else:
        line = (
            f"{file.name}: {written} {'to write' if dry_run else 'written'} "
            f"({n('created')} created, {n('updated')} updated), {n('unchanged')} unchanged, "
            f"{n('skipped')} skipped, {n('duplicate')} duplicate, {n('rejected')} rejected"
        )
        if dry_run:
            line += " (dry run: nothing written)"
    out.print(line, markup=False)
    if n("skipped"):
        out.print(
            "已存在且内容不同的文件没有被覆盖；用 --update 更新它们（保留注释和其他键）。"
            if zh
            else "existing files that differ were not overwritten; --update updates them "
            "(keeping comments and other keys)",
            markup=False,
        )
