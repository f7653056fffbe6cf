"""The ``catalog new`` run: resolve and check what staff give, ask for what is missing, write.

Every value is checked on entry: the basic item must exist (an unknown code names the closest
ones), the region must be in the region list, the level must fit the region and be one of the
basic item's levels, and the credit code must pass both checks of GB 32100 / GB 11714. With an
:class:`Asker` (a terminal), a bad or missing value is asked for again with the reason; without
one, it is a :class:`NewError` (exit 2). Nothing is written until everything is right, and an
existing file is never overwritten.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from catalog_cli.atomic import write_atomic
from catalog_cli.codes import BASIC_CODE, credit_code_issues, implementation_code
from catalog_cli.engine import Session, item_files, open_session
from catalog_cli.importer import Text
from catalog_cli.models import BasicItem, Entry
from catalog_cli.rounds import load_entries
from catalog_cli.scaffold import NewItem, build, render_new, todos
from catalog_cli.search import Hit, SearchIndex
from catalog_cli.standard import Regions

EXIT_USAGE, EXIT_REFUSED = 2, 1
LEVEL_NAMES = {
    1: "国家级",
    2: "省级",
    3: "市级",
    4: "县级",
    5: "镇（乡、街道）级",
    6: "村（社区）级",
}
T = TypeVar("T")


class NewError(Exception):
    """Why ``new`` stops without writing; ``code`` is the exit code."""

    def __init__(self, text: Text, code: int = EXIT_USAGE) -> None:
        super().__init__(text.en)
        self.text = text
        self.code = code


class Asker(Protocol):
    """A person at a terminal (tests feed it text)."""

    def ask(self, prompt: str, default: str | None = None) -> str: ...

    def confirm(self, prompt: str) -> bool: ...

    def say(self, text: str) -> None: ...


@dataclass
class NewRequest:
    """What the command line gave; ``None`` is "not given"."""

    basic: str | None = None
    basic_name: str | None = None
    region: str | None = None
    level: int | None = None
    body_name: str | None = None
    credit_code: str | None = None
    out: Path | None = None
    lang: str = "zh"


@dataclass
class Written:
    path: Path
    relpath: str
    todos: list[str]


def run_new(request: NewRequest, asker: Asker | None, start: Path) -> Written:
    """Check (or ask for) every value, then write the new item; raises :class:`NewError`."""
    session = open_session(start)
    run = _Run(session, request, asker)
    basic = run.basic_item()
    region = run.ask_until(
        request.region, "行政区划代码（如 210102）", "region code (e.g. 210102)", run.check_region
    )
    level = run.level(basic, region)
    body_name = run.ask_until(
        request.body_name, "实施主体名称", "implementing body name", _check_body_name
    )
    credit = run.ask_until(
        request.credit_code,
        "实施主体统一社会信用代码（18 位）",
        "implementing body credit code (18 characters)",
        _check_credit_code,
    )
    data = build(NewItem(basic.doc.data, region, level, body_name, credit), session.standard)
    code = implementation_code(credit, level, str(basic.doc.data.get("basic_code")))
    path = run.target(request.out, region, code)
    relpath = Path(os.path.relpath(path, session.root)).as_posix()
    text = render_new(data, session.standard, relpath)
    if asker is not None and not asker.confirm(run.tr(f"写入 {relpath}？", f"Write {relpath}?")):
        raise NewError(Text("未写入任何文件。", "nothing written"), EXIT_REFUSED)
    if path.exists():  # checked again: someone may have created it while we asked
        raise _exists(relpath)
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise NewError(
            Text(
                f"无法写入 {relpath}：{exc.strerror or exc}",
                f"cannot write {relpath}: {exc.strerror or exc}",
            )
        ) from exc
    return Written(path, relpath, todos(data))


class _Run:
    def __init__(self, session: Session, request: NewRequest, asker: Asker | None) -> None:
        self.session = session
        self.request = request
        self.asker = asker
        self.lang = request.lang

    def tr(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def ask_until(
        self,
        given: str | None,
        prompt_zh: str,
        prompt_en: str,
        check: Callable[[str], tuple[T | None, Text | None]],
        default: str | None = None,
    ) -> T:
        """The checked value: as given, else asked for (again, with the reason) at a terminal."""
        value = given
        while True:
            if value is None:
                if self.asker is None:
                    raise NewError(
                        Text(
                            f"缺少{prompt_zh}；请用选项给出。", f"missing the {prompt_en}; give it"
                        )
                    )
                value = self.asker.ask(self.tr(prompt_zh, prompt_en), default)
            result, problem = check(value.strip())
            if problem is None and result is not None:
                return result
            assert problem is not None
            if self.asker is None:
                raise NewError(problem)
            self.asker.say(problem.get(self.lang))
            value = None

    # --- the basic item ---------------------------------------------------------------------

    def basic_item(self) -> Entry:
        """The basic item, by code (--basic) or by fuzzy search on its name (--basic-name)."""
        entries = self._basic_entries()
        index = SearchIndex(entries, self.session.standard)
        by_path = {e.path: e for e in entries}
        request = self.request

        def by_code(text: str) -> tuple[Entry | None, Text | None]:
            found = [r for r in index.by_code(text) if r.kind == "basic"]
            if found:
                return by_path[found[0].path], None
            near = [h for h in index.closest(text) if h.record.kind == "basic"]
            shown = "、".join(f"{h.record.code} {h.record.name}" for h in near[:5])
            return None, Text(
                f"没有基本编码为 {text} 的基本目录事项"
                + (f"；最接近的：{shown}" if shown else "；用 --basic-name 按名称查找"),
                f"no basic item has the code {text}"
                + (f"; closest: {shown}" if shown else "; use --basic-name to search by name"),
            )

        def by_name(text: str) -> tuple[Entry | None, Text | None]:
            hits = index.search(text, kinds={"basic"}, limit=8)
            if not hits:
                return None, Text(
                    f"没有名称与 “{text}” 相近的基本目录事项。",
                    f"no basic item has a name like '{text}'",
                )
            chosen = self._choose(text, hits)
            if isinstance(chosen, Text):
                return None, chosen
            return by_path[chosen.record.path], None

        def either(text: str) -> tuple[Entry | None, Text | None]:
            return by_code(text) if BASIC_CODE.match(text) else by_name(text)

        if request.basic is not None:
            return self.ask_until(request.basic, "基本编码", "basic code", either)
        return self.ask_until(
            request.basic_name,
            "基本目录事项的编码或名称（可只写一部分）",
            "basic item code or name (a part is enough)",
            either,
        )

    def _basic_entries(self) -> list[Entry]:
        """The basic items: items/basic/ (their place, COD007), else every item file."""
        folder = self.session.root / "items" / "basic"
        files = item_files(self.session, [folder] if folder.is_dir() else [])
        entries, _ = load_entries(self.session, files)
        return [e for e in entries if isinstance(e.item, BasicItem) and e.item.basic_code]

    def _choose(self, text: str, hits: list[Hit]) -> Hit | Text:
        """The hit meant: a clear winner, or (at a terminal) the one picked from a list."""
        top = hits[0]
        clear = len(hits) == 1 or (top.score >= 100 and hits[1].score < 100)
        listing = "\n".join(
            f"  {n}. {h.record.code} {h.record.name}（{h.reason(self.lang)}，{h.score:g}）"
            for n, h in enumerate(hits, 1)
        )
        if self.asker is None:
            if clear:
                return top
            return Text(
                f"“{text}” 对应多个基本目录事项，请用 --basic 指定编码：\n{listing}",
                f"'{text}' matches several basic items; give the code with --basic:\n{listing}",
            )
        if clear:
            self.asker.say(self.tr(f"基本目录事项：{top.record.code} {top.record.name}",
                                   f"basic item: {top.record.code} {top.record.name}"))  # fmt: skip
            return top
        self.asker.say(listing)
        while True:
            answer = self.asker.ask(self.tr("选择序号", "choose a number"), "1").strip()
            if answer.isdigit() and 1 <= int(answer) <= len(hits):
                return hits[int(answer) - 1]
            self.asker.say(self.tr(f"请输入 1 到 {len(hits)}。", f"enter 1 to {len(hits)}"))

    # --- region and level -------------------------------------------------------------------

    def check_region(self, text: str) -> tuple[str | None, Text | None]:
        regions = self.session.standard.regions
        if regions.exists(text):
            return text, None
        return None, Text(*regions.unknown(text, example="210102"))

    def level(self, basic: Entry, region: str) -> int:
        """The level: as given, else the region's; it must fit both (as COD004 checks)."""
        regions: Regions = self.session.standard.regions
        region_level = regions.level(region)
        item = basic.item
        levels = item.levels if isinstance(item, BasicItem) and item.levels else None

        def check(text: str) -> tuple[int | None, Text | None]:
            if not text.isdigit() or int(text) not in LEVEL_NAMES:
                return None, Text(
                    f"行使层级应为 1 到 6，实际是 “{text}”。", f"the level is 1 to 6, got '{text}'"
                )
            level = int(text)
            # a village item (6) may sit in its township's region: there are no village codes
            fits = region_level == level or (level == 6 and region_level == 5)
            if region_level is not None and not fits:
                return None, Text(
                    f"行使层级 {level}（{LEVEL_NAMES[level]}）与行政区划 {region}"
                    f"（{LEVEL_NAMES[region_level]}）不一致。",
                    f"level {level} does not match the region {region} (level {region_level})",
                )
            if levels is not None and level not in levels:
                allowed = ", ".join(str(x) for x in levels)
                return None, Text(
                    f"基本目录事项 {basic.doc.data.get('basic_code')} 只允许行使层级 [{allowed}]，"
                    f"不含 {level}（{LEVEL_NAMES[level]}）。",
                    f"the basic item {basic.doc.data.get('basic_code')} allows the levels "
                    f"[{allowed}], not {level}",
                )
            return level, None

        given = self.request.level
        asked_region = self.asker is not None and self.request.region is None
        if given is None and region_level is not None and not asked_region:
            given = region_level  # the region's own level; asked for only with the region
        return self.ask_until(
            None if given is None else str(given),
            "行使层级（1 国家级 … 6 村级）",
            "level (1 national … 6 village)",
            check,
            default=None if region_level is None else str(region_level),
        )

    # --- where it goes ----------------------------------------------------------------------

    def target(self, out: Path | None, region: str, code: str) -> Path:
        """``items/implementation/<region>/<code>.yaml`` (the layout COD007 checks), or --out."""
        root = self.session.root
        if out is None:
            path = root / "items" / "implementation" / region / f"{code}.yaml"
        elif out.is_dir() or out.suffix not in (".yaml", ".yml"):  # a folder, maybe a new one
            path = out / f"{code}.yaml"
        else:
            path = out
        path = path.absolute()
        if path.exists() or path.is_symlink():
            raise _exists(Path(os.path.relpath(path, root)).as_posix())
        return path


def _exists(relpath: str) -> NewError:
    return NewError(
        Text(
            f"{relpath} 已存在，不会覆盖；编辑它，或用 --out 另选位置。",
            f"{relpath} already exists and is not overwritten; edit it, or choose another "
            "place with --out",
        ),
        EXIT_REFUSED,
    )


def _check_body_name(text: str) -> tuple[str | None, Text | None]:
    if text:
        return text, None
    return None, Text("实施主体名称不能为空。", "the body name must not be empty")


def _check_credit_code(text: str) -> tuple[str | None, Text | None]:
    issues = credit_code_issues(text)
    if not issues:
        return text, None
    return None, Text(
        f"统一社会信用代码 “{text}” 有误：" + "；".join(i.zh for i in issues) + "。",
        f"the credit code '{text}' is wrong: " + "; ".join(i.en for i in issues),
    )
