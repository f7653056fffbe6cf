"""History commands: ``diff`` and ``release`` (issue 6).

Only option parsing lives here; the work is done by modules the commands call.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from catalog_cli.clisupport import (
    EXIT_FINDINGS,
    EXIT_OK,
    Lang,
    LangOpt,
    err_console,
    fail,
    guarded,
)

commands = typer.Typer()


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


@commands.command("diff")
def diff_cmd(
    old: Annotated[
        str,
        typer.Argument(
            metavar="A",
            help="The older git revision: a tag, branch or commit (e.g. v1.0).",
            show_default=False,
        ),
    ],
    new: Annotated[
        str | None,
        typer.Argument(
            metavar="B",
            help="The newer git revision. Default: the working tree (uncommitted and untracked "
            "files included).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        DiffFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (for people), markdown (release notes) or json (for programs).",
        ),
    ] = DiffFormat.text,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code", help="Exit 1 when something changed, 0 when nothing did (as git diff)."
        ),
    ] = False,
    lang: LangOpt = Lang.zh,
) -> None:
    """Say which items were added, withdrawn and changed between two revisions.

    Items are matched by code, so a moved or renamed file is no change; changed items list
    each element's old and new value. Withdrawn means removed, or status turned to 取消.
    Exit 0 whether or not anything changed (1 with --exit-code when something did); 2 for an
    unknown revision, no git, or no repository.
    """
    from catalog_cli.diffreport import RENDERERS, diff_revisions
    from catalog_cli.outputs import stdout_guard

    report = guarded(lambda: diff_revisions(Path.cwd(), old, new, lang.value), lang.value)
    with stdout_guard():
        sys.stdout.write(RENDERERS[fmt.value](report))
    raise typer.Exit(EXIT_FINDINGS if exit_code and not report.diff.empty else EXIT_OK)


@commands.command("release")
def release_cmd(
    version: Annotated[
        str,
        typer.Argument(
            help="The version to release, e.g. v1.2.0: the git tag and the folder dist/VERSION/ "
            "(letters, digits and . _ + -).",
            show_default=False,
        ),
    ],
    lang: LangOpt = Lang.zh,
) -> None:
    """Release the catalog as VERSION: export, record what changed, commit and tag.

    Needs a clean working tree and a passing `catalog check`. Exports every format into
    dist/VERSION/ (git-ignored) with manifest.json (sha256 of each file), appends the changes
    since the previous release tag to CHANGELOG.md, commits that file alone and tags the commit
    (annotated). Never tags after a failure, never overwrites a version. Exit 1 when the check
    finds errors; 2 for a bad VERSION, a dirty tree, an existing tag or folder, no git.
    """
    from catalog_cli.release import ReleaseError, ReleaseResult, release, summary

    def run() -> ReleaseResult | ReleaseError:
        try:
            return release(
                Path.cwd(), version, lang.value, lambda msg: err_console.print(msg, markup=False)
            )
        except ReleaseError as exc:  # a refusal or a failure with what is left: not a bug
            return exc

    outcome = guarded(run, lang.value)
    if isinstance(outcome, ReleaseError):
        fail(outcome.text(lang.value), outcome.code)
    sys.stdout.write(summary(outcome, lang.value))
