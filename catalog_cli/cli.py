"""The ``catalog`` command line. Commands only parse options and call the engine.

Exit codes (every command): 0 no error-level findings; 1 error-level findings (warnings too
with ``--strict``); 2 usage or configuration error; 3 internal error (a bug: please report it).
"""

from __future__ import annotations

import io
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from catalog_cli import __version__, cache, cli_authoring, cli_browse, cli_export, cli_history
from catalog_cli.changes import Changes, PendingChanges, changes_since, only_changed
from catalog_cli.clisupport import (
    EXIT_FINDINGS,
    EXIT_OK,
    Lang,
    LangOpt,
    err_console,
    fail,
    guarded,
)
from catalog_cli.config import find_root
from catalog_cli.engine import Options, check, open_session, validate
from catalog_cli.findings import Finding, Severity
from catalog_cli.outputs import (
    OutputError,
    default_format,
    in_ci,
    parse_outputs,
    stdout_guard,
    write_outputs,
)
from catalog_cli.reporters import REPORTERS, Report, RuleInfo, Since
from catalog_cli.rules import Rule

app = typer.Typer(
    name="catalog",
    help="Keep a catalog of government service items (政务服务事项) to one rule: same item, same "
    "standard, same code (同一事项、同一标准、同一编码). Validate item files, find duplicates "
    "across levels, import spreadsheets.",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"catalog {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Catalog tool for government service items."""


def _check_format(value: str | None) -> str | None:
    if value is not None and value not in REPORTERS:
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
    str | None,
    typer.Option(
        "--format",
        "-f",
        callback=_check_format,
        help="Output format: "
        + ", ".join(f"{n} ({r.description})" for n, r in sorted(REPORTERS.items()))
        + ". Default: github under GitHub Actions (GITHUB_ACTIONS=true), else text.",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FORMAT=PATH",
        help="Also write the report in FORMAT to PATH (repeatable: one run, several formats), "
        "e.g. --output sarif=catalog.sarif --output junit=catalog.xml.",
        show_default=False,
    ),
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
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Do not read or write the result cache (.catalog-cache/ at the catalog root).",
    ),
]


def _output(report: Report, fmt: str | None, outputs: list[tuple[str, Path]] | None = None) -> None:
    with stdout_guard():
        REPORTERS[fmt or default_format(os.environ)].render(report, sys.stdout)
    try:
        write_outputs(report, outputs or [])
    except OutputError as exc:
        fail(str(exc))


def _report_token(command: str, fmt: str, lang: Lang) -> str:
    """What names a rendered report besides the run's inputs. Only machine formats are kept:
    they depend on nothing else (the text and github formats read the terminal and the
    environment)."""
    return f"{command} {fmt} {lang.value} {__version__}" if REPORTERS[fmt].machine else ""


def _output_kept(report: Report, fmt: str, root: Path, key: str, token: str) -> None:
    """Render to stdout and keep the text: the next identical run prints it as it is."""
    buffer = io.StringIO()
    REPORTERS[fmt].render(report, buffer)
    text = buffer.getvalue()
    with stdout_guard():
        sys.stdout.write(text)
    errors = sum(1 for f in report.findings if f.severity == Severity.ERROR)
    warnings = sum(1 for f in report.findings if f.severity == Severity.WARNING)
    cache.store_report(root, key, token, text, errors, warnings)


def _parse_outputs(values: list[str] | None) -> list[tuple[str, Path]]:
    try:
        return parse_outputs(values or [])
    except ValueError as exc:
        fail(str(exc))


def _rule_infos(rules: list[type[Rule]], lang: Lang) -> list[RuleInfo]:
    """The rules that ran, with texts in the report's language (SARIF's rule table)."""
    return [
        RuleInfo(
            r.code,
            r.name,
            r.severity.value,
            r.summary_zh if lang == Lang.zh else r.summary,
            r.doc(),
        )
        for r in rules
    ]


@app.command("validate")
def validate_cmd(
    paths: PathsArg = None,
    fmt: FormatOpt = None,
    lang: LangOpt = Lang.zh,
    strict: StrictOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    output: OutputOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Check item files against the standard; exit 1 when there are errors.

    Every finding has a rule code, file, line and column; `catalog rules CODE` explains it.
    """
    _execute("validate", paths, fmt, lang, strict, select, ignore, output, no_cache, since=None)


SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="REF",
        help="Report only findings that involve items added, changed or renamed since this git "
        "reference (e.g. origin/main), plus items depending on deleted ones. The whole catalog "
        "is still loaded and cross-file rules still run.",
    ),
]


@app.command("check")
def check_cmd(
    paths: PathsArg = None,
    fmt: FormatOpt = None,
    lang: LangOpt = Lang.zh,
    strict: StrictOpt = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    output: OutputOpt = None,
    no_cache: NoCacheOpt = False,
    since: SinceOpt = None,
) -> None:
    """Validate and find duplicates together: the one command for CI and pre-commit.

    With --since, only what a change touched is reported, so a pull request shows its own
    problems, not the catalog's backlog. Under GitHub Actions the format defaults to github.
    """
    _execute("check", paths, fmt, lang, strict, select, ignore, output, no_cache, since=since)


def _execute(
    command: str,
    paths: list[Path] | None,
    fmt: str | None,
    lang: Lang,
    strict: bool,
    select: list[str] | None,
    ignore: list[str] | None,
    output: list[str] | None,
    no_cache: bool,
    *,
    since: str | None,
) -> NoReturn:
    """Shared body of validate and check: run, filter --since, report, exit."""
    outputs = _parse_outputs(output)
    shown = fmt or default_format(os.environ)
    # a report is kept for the next identical run when it is the run's only output (not in CI:
    # see Options.keep_run)
    keep = not in_ci(os.environ)
    token = "" if since is not None or outputs or not keep else _report_token(command, shown, lang)
    options = Options(
        paths=[p.absolute() for p in paths or []],
        lang=lang.value,
        select=select or [],
        ignore=ignore or [],
        strict=strict,
        use_cache=not no_cache,
        report_token=token,
        keep_run=keep,
    )
    run = check if command == "check" else validate
    pending = _pending_changes(options, since)  # git runs beside the validation

    def changes_of(root: Path) -> Changes:
        assert since is not None
        return pending.result(root) if pending else changes_since(root, since)

    if since is not None and not keep:  # (nothing kept: the run need not build the rest)
        options.changes = changes_of
    result = guarded(lambda: run(options), lang.value)
    if result.report is not None:  # nothing changed since the run that rendered it
        text, errors, warnings = result.report
        with stdout_guard():
            sys.stdout.write(text)
        raise typer.Exit(EXIT_FINDINGS if errors or (strict and warnings) else EXIT_OK)
    findings = result.findings
    scope: Since | None = None
    if since is not None:
        changes = result.changes or guarded(lambda: changes_of(result.root), lang.value)
        if not changes.everything:  # (outside git every file counts as changed: all reported)
            docs = result.documents
            scope = Since(since, frozenset(p for p in changes.changed if p in docs))
        if changes.note:
            note = changes.note_zh if lang == Lang.zh and changes.note_zh else changes.note
            err_console.print(
                f"catalog: 注意：{note}" if lang == Lang.zh else f"catalog: note: {note}",
                highlight=False,
                markup=False,
            )
        findings = only_changed(findings, result.references, changes)
    report = Report(
        findings,
        result.files,
        lang.value,
        result.documents,
        version=__version__,
        command=command,
        rules=_rule_infos(result.rules, lang),
        since=scope,
    )
    key = result.key
    if token and key is not None:
        guarded(lambda: _output_kept(report, shown, result.root, key, token), lang.value)
    else:
        guarded(lambda: _output(report, fmt, outputs), lang.value)
    raise typer.Exit(EXIT_FINDINGS if _failing(findings, strict) else EXIT_OK)


def _pending_changes(options: Options, since: str | None) -> PendingChanges | None:
    """``--since``'s git commands, started in the catalog the run will find (if any)."""
    if since is None:
        return None
    root = find_root(options.paths[0] if options.paths else options.cwd)
    return PendingChanges(root, since) if root is not None else None


def _failing(findings: list[Finding], strict: bool) -> bool:
    bad = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(f.severity in bad for f in findings)


@app.command("rules")
def rules_cmd(
    code: Annotated[
        str | None, typer.Argument(help="A rule code or name: print its documentation.")
    ] = None,
    lang: LangOpt = Lang.zh,
    as_json: Annotated[bool, typer.Option("--json", help="List the rules as JSON.")] = False,
) -> None:
    """List the rules, or explain one (why it exists, a bad and a good example)."""
    session = guarded(lambda: open_session(Path.cwd()) if _in_catalog() else None, lang.value)
    from catalog_cli.rules import discover_rules

    rules = session.rules if session else guarded(lambda: discover_rules(None), lang.value)
    if code is not None:
        match = [r for r in rules if code.upper() == r.code or code == r.name]
        if not match:
            fail(f"no rule '{code}'; 'catalog rules' lists them")
        r = match[0]
        title = r.summary_zh if lang == Lang.zh else r.summary
        out = Console(highlight=False)
        # (a catalog's own rule may put brackets in its name or summary: text, not markup)
        out.print(f"[bold]{escape(r.code)}[/] {escape(f'{r.name} ({r.severity.value}) — {title}')}")
        from rich.markdown import Markdown  # here: only this command renders Markdown

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
    table = Table(box=None, pad_edge=False)
    for column in ("code", "name", "severity", "summary"):
        table.add_column(column, overflow="fold")
    for r in rules:
        table.add_row(
            r.code, r.name, r.severity.value, r.summary_zh if lang == Lang.zh else r.summary
        )
    Console(highlight=False, markup=False).print(table)


@app.command("import")
def import_cmd(
    file: Annotated[
        Path | None,
        typer.Argument(help="The list to import: .xlsx, .csv or .json.", show_default=False),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="YAML file mapping other headers to the known ones (null leaves a column out).",
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="Region code for rows without a 行政区划代码 value."),
    ] = None,
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog",
            help="Catalog folder to import into (default: the catalog the current directory "
            "belongs to); its items/ folder is created when missing.",
        ),
    ] = None,
    update: Annotated[
        bool, typer.Option("--update", help="Update existing items (their comments are kept).")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")
    ] = False,
    template: Annotated[
        Path | None,
        typer.Option("--template", help="Write an empty .xlsx or .csv with the known headers."),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Sheet of an .xlsx file (default: the first).")
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="Encoding of a .csv file (default: detected)."),
    ] = None,
    max_size: Annotated[
        int, typer.Option("--max-size", min=1, help="Largest file to read, in MB.")
    ] = 32,
    lang: LangOpt = Lang.zh,
) -> None:
    """Import items from a spreadsheet (.xlsx, .csv, .json) into the catalog's items/ folder.

    Values are kept as typed; `catalog validate` reports what is wrong with them. Exit 0 when
    every row was imported or unchanged, 1 when rows were rejected, 2 when the file or an option
    cannot be used.
    """
    from catalog_cli.importing import run_import

    code = guarded(
        lambda: run_import(
            file,
            mapping,
            region,
            catalog,
            update,
            dry_run,
            template,
            sheet,
            encoding,
            max_size,
            lang.value,
            err_console,
        ),
        lang.value,
    )
    raise typer.Exit(code)


class DupesFormat(StrEnum):
    text = "text"
    json = "json"


@app.command("dupes")
def dupes_cmd(
    paths: PathsArg = None,
    fmt: Annotated[
        DupesFormat, typer.Option("--format", "-f", help="Output format: text (a table) or json.")
    ] = DupesFormat.text,
    lang: LangOpt = Lang.zh,
    variants: Annotated[
        bool,
        typer.Option(
            "--variants",
            help="Also list groups of business-handling variants (设立/变更/注销 …) of one item.",
        ),
    ] = False,
    scope: Annotated[
        str | None,
        typer.Option(
            "--scope",
            metavar="REGION",
            help="Compare only items of this region (e.g. 511602), the regions above and below it.",
            show_default=False,
        ),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold",
            min=70,
            max=100,
            help="Similarity (0-100, of normalized names) from which a pair is a candidate.",
        ),
    ] = 90.0,
    strict: StrictOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Find duplicate items across levels and regions, and say why (同一事项、同一编码).

    Pairs: same-code-conflict (error); duplicate, probable-duplicate, wrong-basic-item (warning);
    should-implement, national-candidate (info). Reviewed pairs recorded in decisions.yaml at the
    catalog root are not reported again. Exit 1 on error-level pairs (warnings too with --strict).
    """
    from catalog_cli.dupes.decisions import load_decisions
    from catalog_cli.dupes.find import DupesOptions, DupesResult, side_rows
    from catalog_cli.dupes.report import render_json, render_text
    from catalog_cli.dupes.rule import search_kept, with_severity
    from catalog_cli.engine import Options, catalog_facts

    region = None
    if scope is not None:
        from catalog_cli.standard import Regions

        if not scope.isdigit() or len(scope) not in (2, 4, 6, 9, 12):
            fail(
                f"--scope 须为区划代码，如 51、5116 或 511602，而不是“{scope}”"
                if lang == Lang.zh
                else f"--scope must be a region code such as 51, 5116 or 511602, got '{scope}'"
            )
        region = Regions.canonical(scope if len(scope) != 2 else scope + "0000")

    def run() -> DupesResult:
        # the items' facts as `catalog check` has them: from its item cache when it ran before
        session, facts = catalog_facts(
            Options(
                paths=[p.absolute() for p in paths or []], lang=lang.value, use_cache=not no_cache
            )
        )
        decisions, problems = load_decisions(session.root, lang.value)
        # (re-graded after the search: with the options of check's DUP rules, the search
        # starts from the state their last search kept)
        dupes = DupesOptions(
            threshold=threshold,
            scope=region,
            variants=variants,
            lang=lang.value,
            decisions=decisions,
            state=True,
        )
        found = search_kept(
            side_rows(facts), session.standard, dupes, session.root, use_cache=not no_cache
        )
        result = with_severity(found, session.config.severity)
        result.findings = sorted([*problems, *result.findings], key=Finding.sort_key)
        return result

    result = guarded(run, lang.value)
    if fmt == DupesFormat.json:
        guarded(lambda: render_json(result, sys.stdout), lang.value)
    else:
        guarded(
            lambda: render_text(result, sys.stdout, lang.value, color=sys.stdout.isatty()),
            lang.value,
        )
    sys.stdout.flush()
    raise typer.Exit(result.exit_code(strict))


def _in_catalog() -> bool:
    from catalog_cli.config import find_root

    return find_root(Path.cwd()) is not None


# Each area's commands live in their own module; they merge into the one `catalog` command.
for _commands in (
    cli_export.commands,
    cli_history.commands,
    cli_authoring.commands,
    cli_browse.commands,
):
    app.add_typer(_commands)


def main() -> None:
    """Console-script entry point."""
    app()
