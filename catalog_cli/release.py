"""``catalog release VERSION``: export a checked commit, note what changed, commit and tag it.

Order matters, so that a failure never leaves a tag on something unfinished:

1. refuse before touching anything: a bad VERSION, a dirty tree, an existing tag or
   ``dist/VERSION``, a shallow clone (the previous release could not be found), error-level
   findings of ``catalog check`` (exit 1; everything else exit 2);
2. export every format into ``dist/VERSION/`` (git-ignored) through the export module, then
   ``manifest.json`` with the sha256 of every file written;
3. append the Markdown diff since the previous release tag (or since the beginning) to
   CHANGELOG.md, atomically, and commit that file alone;
4. put an annotated tag VERSION on that commit.

When a step after the first write fails, nothing later runs (never a tag), and the error says
exactly what was left behind and the commands that undo it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from catalog_cli.atomic import write_atomic, write_atomic_bytes
from catalog_cli.diff import CatalogDiff
from catalog_cli.diffreport import DiffReport, compare_delta, render_markdown
from catalog_cli.engine import Options, check, item_files, open_session
from catalog_cli.export import (
    FILE_NAMES,
    FORMATS,
    RENDERERS,
    ExportError,
    Selection,
    Source,
    check_out_dir,
    document,
    metadata,
    published_document,
    write_outputs,
)
from catalog_cli.findings import Finding, Severity
from catalog_cli.models import Entry
from catalog_cli.revisions import Delta, History, Revision
from catalog_cli.rounds import load_entries
from catalog_cli.standard import Standard

DIST = "dist"
CHANGELOG = "CHANGELOG.md"
MANIFEST = "manifest.json"
MAX_SHOWN = 20  # dirty files and findings named in a refusal
VERSION_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]{0,99}\Z")
VERSION_RULE_ZH = (
    "版本号只能由字母、数字和 . _ + - 组成，以字母或数字开头，最长 100 个字符，"
    "不能含 “..”、不能以 “.” 或 “.lock” 结尾（它同时是 git 标签名和 dist/ 下的文件夹名），"
    "例如 v1.2.0 或 2024.1"
)
VERSION_RULE_EN = (
    "a version is letters, digits and . _ + - only, starts with a letter or digit, is at most "
    "100 characters, has no '..' and does not end in '.' or '.lock' (it is both a git tag name "
    "and a folder under dist/), e.g. v1.2.0 or 2024.1"
)


class ReleaseError(Exception):
    """The release was refused (nothing written) or failed part-way (the message says what is
    left and how to undo it). ``code`` is the exit code: 1 for findings, 2 otherwise."""

    def __init__(self, zh: str, en: str, code: int = 2) -> None:
        super().__init__(en)
        self.zh, self.en, self.code = zh, en, code

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass
class ReleaseResult:
    """What a release made."""

    version: str
    exported: Revision  # the commit the export was made from
    commit: str  # the commit holding CHANGELOG.md, which the tag points at
    out: Path  # dist/VERSION
    files: list[str]  # names in ``out``, manifest.json included
    previous: str | None  # the previous release tag; None for the first release
    diff: CatalogDiff = field(default_factory=CatalogDiff)


def check_version(version: str) -> None:
    """ReleaseError unless ``version`` works as a tag name and a folder name."""
    bad = not VERSION_RE.match(version) or ".." in version or version.endswith((".", ".lock"))
    if bad:
        raise ReleaseError(
            f"版本号 “{version}” 不可用：{VERSION_RULE_ZH}",
            f"version '{version}' cannot be used: {VERSION_RULE_EN}",
        )


def _refuse_dirty(history: History) -> None:
    dirty = history.dirty()
    if not dirty:
        return
    zh, en = _listing(dirty)
    raise ReleaseError(
        f"工作区不干净，发布必须正好是一个提交。未提交或未跟踪的文件：{zh}"
        + "\n请先提交（git add、git commit）或移走它们（git stash -u）",
        f"the working tree is not clean; a release must be exactly a commit. Uncommitted or "
        f"untracked files:{en}"
        + "\ncommit them (git add, git commit) or put them aside (git stash -u) first",
    )


def _listing(lines: list[str]) -> tuple[str, str]:
    """The first MAX_SHOWN lines, indented, and how many more there are (zh, en)."""
    shown = "".join(f"\n  {line}" for line in lines[:MAX_SHOWN])
    more = len(lines) - MAX_SHOWN
    if more <= 0:
        return shown, shown
    return f"{shown}\n  … 另有 {more} 个", f"{shown}\n  … and {more} more"


def _refuse_errors(errors: list[Finding]) -> None:
    zh, en = _listing(
        [f"{f.path}:{f.line or 1}:{f.column or 1}: {f.code} {f.message}" for f in errors]
    )
    raise ReleaseError(
        f"catalog check 发现 {len(errors)} 个错误，不发布（什么都没有写）：{zh}"
        + "\n请先修正（catalog check 查看全部）",
        f"catalog check found {len(errors)} errors; not releasing (nothing was written):{en}"
        + "\nfix them first (catalog check lists them all)",
        code=1,
    )


def _failed(step_zh: str, step_en: str, exc: Exception, left_zh: str, left_en: str) -> ReleaseError:
    if isinstance(exc, ReleaseError | ExportError):
        reason, reason_zh = exc.text("en"), exc.text("zh")
    else:
        reason = reason_zh = str(exc)
    return ReleaseError(
        f"{step_zh}失败：{reason_zh}\n没有打标签。{left_zh}",
        f"{step_en} failed: {reason}\nNo tag was made. {left_en}",
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(out: Path, version: str, commit: str | None) -> list[str]:
    """``manifest.json`` beside the exported files: the sha256 of each; returns every name."""
    names = sorted(p.name for p in out.iterdir() if p.is_file() and p.name != MANIFEST)
    manifest = {
        "version": version,
        "commit": commit,
        "files": {name: _sha256(out / name) for name in names},
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    write_atomic_bytes(out / MANIFEST, text.encode("utf-8"), known_dir=True)
    return sorted([*names, MANIFEST])


def _ignore_dist(history: History, root: Path, version: str) -> bool:
    """Make sure dist/ is git-ignored; True when a ``dist/.gitignore`` had to be written.

    A catalog whose .gitignore does not list dist/ gets ``dist/.gitignore`` holding ``*`` (it
    ignores itself too), so the next release still finds a clean tree.
    """
    if history.succeeds("check-ignore", "-q", history.repo_path(f"{DIST}/{version}/{MANIFEST}")):
        return False
    write_atomic(root / DIST / ".gitignore", "# catalog release: exports are not committed\n*\n")
    return True


def _changelog_section(
    report: DiffReport, version: str, previous: str | None, date: str | None
) -> str:
    day = (date or "")[:10]
    if previous is None:
        title = report.tr(f"{version}（{day}，首次发布）", f"{version} ({day}, first release)")
    else:
        title = report.tr(
            f"{version}（{day}，相对 {previous}）", f"{version} ({day}, since {previous})"
        )
    return render_markdown(report, title=title, level=2)


def _preflight(history: History, root: Path, version: str) -> tuple[Revision, Path]:
    """Every refusal that needs no check run: (HEAD, dist/VERSION) when none applies."""
    if not history.succeeds("check-ref-format", f"refs/tags/{version}"):
        raise ReleaseError(
            f"版本号 “{version}” 不是合法的 git 标签名：{VERSION_RULE_ZH}",
            f"version '{version}' is not a valid git tag name: {VERSION_RULE_EN}",
        )
    head = history.resolve("HEAD")
    if history.shallow:
        raise ReleaseError(
            "这是浅克隆，找不到上一个发布标签；请先获取完整历史和标签：git fetch --unshallow --tags",
            "this is a shallow clone: the previous release tag cannot be found; fetch the whole "
            "history and the tags first: git fetch --unshallow --tags",
        )
    _refuse_dirty(history)
    if history.succeeds("rev-parse", "--verify", "--quiet", f"refs/tags/{version}"):
        raise ReleaseError(
            f"标签 {version} 已存在，不会覆盖已发布的版本；请换一个版本号",
            f"tag {version} already exists; a released version is never overwritten: choose "
            "another version",
        )
    out = root / DIST / version
    if out.exists() or out.is_symlink():
        raise ReleaseError(
            f"{out} 已存在，不会覆盖已发布的版本；请换一个版本号，或先删除这个文件夹",
            f"{out} already exists; a released version is never overwritten: choose another "
            "version, or delete that folder first",
        )
    try:
        check_out_dir(out)  # a file in the way, or no permission: refused before any write
    except ExportError as exc:
        raise ReleaseError(
            f"无法导出到 {DIST}/{version}：{exc.zh}",
            f"cannot export into {DIST}/{version}: {exc.en}",
        ) from exc
    return head, out


def release(
    start: Path, version: str, lang: str = "zh", progress: Callable[[str], None] = lambda _: None
) -> ReleaseResult:
    """Release the catalog ``start`` belongs to as ``version`` (see the module's docstring).

    Raises ReleaseError (refusals and failures, with its exit code) and RevisionError (git
    missing, no repository, no commit; exit 2).
    """

    def tr(zh: str, en: str) -> str:
        return zh if lang == "zh" else en

    check_version(version)
    session = open_session(start)
    root = session.root
    history = History.open(root, session.config)
    head, out = _preflight(history, root, version)
    previous = history.last_tag(head)
    base = history.resolve(previous) if previous is not None else history.empty()

    progress(tr("检查目录（catalog check）…", "checking the catalog (catalog check)…"))
    # from scratch: a release is checked as it is, and no cache folder appears in the tree
    result = check(Options(cwd=root, lang=lang, use_cache=False))
    errors = [f for f in result.findings if f.severity == Severity.ERROR]
    if errors:
        _refuse_errors(errors)

    # Nothing has been written so far. From here on, a failure says what is left.
    progress(tr(f"导出到 {DIST}/{version}/ …", f"exporting into {DIST}/{version}/ …"))
    made_ignore = False
    try:
        made_ignore = _ignore_dist(history, root, version)
        entries, _ = load_entries(session, item_files(session, []))
        _export(entries, session.standard, out, version, head, history)
        files = write_manifest(out, version, head.commit)
    except Exception as exc:
        extra_zh = f"，以及 {DIST}/.gitignore" if made_ignore else ""
        extra_en = f", and {DIST}/.gitignore" if made_ignore else ""
        raise _failed(
            "导出",
            "the export",
            exc,
            f"可能留下了部分写入的 {out}{extra_zh}；删除后重试：rm -rf {DIST}/{version}",
            f"{out} may be partly written{extra_en}; remove it and try again: "
            f"rm -rf {DIST}/{version}",
        ) from exc

    progress(
        tr(f"写入 {CHANGELOG}（相对 {previous}）…", f"writing {CHANGELOG} (since {previous})…")
        if previous
        else tr(f"写入 {CHANGELOG}（首次发布）…", f"writing {CHANGELOG} (first release)…")
    )
    changelog = root / CHANGELOG
    existed = changelog.exists()
    try:
        # a first release lists everything: the entries just exported are HEAD's (clean tree)
        delta = Delta(base, head, [], entries) if previous is None else history.delta(base, head)
        report = DiffReport(compare_delta(history, delta), base, head, session.standard, lang)
        section = _changelog_section(report, version, previous, history.commit_date(head))
        old_text = (
            changelog.read_text(encoding="utf-8")
            if existed
            else tr("# 变更记录\n", "# Changelog\n")
        )
        write_atomic(changelog, old_text.rstrip("\n") + "\n\n" + section)
    except Exception as exc:
        raise _failed(
            f"写入 {CHANGELOG} ",
            f"writing {CHANGELOG}",
            exc,
            f"{out} 已写入，{CHANGELOG} 未改动；删除后重试：rm -rf {DIST}/{version}",
            f"{out} was written, {CHANGELOG} is unchanged; remove it and try again: "
            f"rm -rf {DIST}/{version}",
        ) from exc

    progress(tr(f"提交 {CHANGELOG} …", f"committing {CHANGELOG} …"))
    path = history.repo_path(CHANGELOG)
    try:
        history.git("add", "--", path)  # pathspecs are literal here (History.git)
        history.git(  # the user's environment: their hooks run as for any commit
            "commit", "-q", "-m", f"Release {version}", "--", ":(literal)" + path, user_env=True
        )
        commit = history.git("rev-parse", "HEAD").strip()
    except Exception as exc:
        undo = (
            f"git checkout HEAD -- {CHANGELOG}"
            if existed
            else f"git rm -q --cached --ignore-unmatch {CHANGELOG} && rm {CHANGELOG}"
        )
        raise _failed(
            "提交",
            "the commit",
            exc,
            f"{out} 已写入，{CHANGELOG} 已修改但未提交。撤销后重试（在 {root}）："
            f"rm -rf {DIST}/{version} && {undo}",
            f"{out} was written and {CHANGELOG} changed but not committed. Undo and try again "
            f"(in {root}): rm -rf {DIST}/{version} && {undo}",
        ) from exc

    progress(tr(f"打标签 {version} …", f"tagging {version} …"))
    try:
        history.git("tag", "-a", version, "-m", f"catalog {version}", commit, user_env=True)
    except Exception as exc:
        raise _failed(
            "打标签",
            "tagging",
            exc,
            f"{out} 已写入，{CHANGELOG} 已提交（{commit[:7]}）。补打标签：git tag -a {version} "
            f"-m 'catalog {version}' {commit[:12]}；或撤销这次发布（在 {root}）："
            f"git reset --keep HEAD~1 && rm -rf {DIST}/{version}",
            f"{out} was written and {CHANGELOG} committed ({commit[:7]}). Tag it by hand: "
            f"git tag -a {version} -m 'catalog {version}' {commit[:12]}; or undo the release "
            f"(in {root}): git reset --keep HEAD~1 && rm -rf {DIST}/{version}",
        ) from exc
    return ReleaseResult(version, head, commit, out, files, previous, report.diff)


def summary(result: ReleaseResult, lang: str) -> str:
    """What the release made, and what to do next (push the commit and the tag)."""
    d = result.diff
    if lang == "zh":
        since = f"相对 {result.previous}" if result.previous else "首次发布"
        return (
            f"已发布 {result.version}：{result.out}（{len(result.files)} 个文件，含 {MANIFEST}）；"
            f"{CHANGELOG} 已提交（{result.commit[:7]}，{since}：新增 {len(d.added)}、"
            f"撤销 {len(d.withdrawn)}、变更 {len(d.changed)} 项），标签 {result.version}。\n"
            f"推送：git push origin HEAD {result.version}\n"
        )
    since = f"since {result.previous}" if result.previous else "first release"
    return (
        f"released {result.version}: {result.out} ({len(result.files)} files, {MANIFEST} "
        f"included); {CHANGELOG} committed ({result.commit[:7]}, {since}: {len(d.added)} added, "
        f"{len(d.withdrawn)} withdrawn, {len(d.changed)} changed), tag {result.version}.\n"
        f"push them: git push origin HEAD {result.version}\n"
    )


def _export(
    entries: list[Entry],
    standard: Standard,
    out: Path,
    version: str,
    head: Revision,
    history: History,
) -> None:
    """Every export format into ``out``, through the export module, versioned as ``version``.

    The tag does not exist yet (it goes on the CHANGELOG commit), so ``git describe`` would not
    name it: the version is given, and the commit is the one exported.
    """
    selection = Selection()
    published = published_document(entries, standard, selection)
    source = Source(version, head.commit, history.commit_date(head), standard.version)
    doc = document(published, metadata(published, source, selection))
    write_outputs({FILE_NAMES[f]: RENDERERS[f](doc) for f in FORMATS}, out)
