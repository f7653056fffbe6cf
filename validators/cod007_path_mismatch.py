"""COD007: the file's place in items/ disagrees with its content."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding
from catalog_cli.models import BasicItem, Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule

ITEMS = "items/"
_SUFFIXES = (".yaml", ".yml")


def _stem(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _usable(value: str | None) -> str | None:
    """A code that can be a path part (others are left to the code-layout rules)."""
    if not value or "/" in value or "\\" in value or value in (".", ".."):
        return None
    return value


class RuleCOD007(ItemRule):
    """An item file sits where its content says, so a code can be found by its path.

    Layout of ``items/`` (paths relative to the catalog root)::

        items/basic/<basic_code>.yaml                             basic items
        items/implementation/<region>/<implementation_code>.yaml  implementation items
        items/implementation/<region>/<any-name>.yaml             local items (no basic code)

    ``.yml`` is accepted as well as ``.yaml``. The region folder is the ``region`` value exactly
    as written (``511602000000`` stays 12 digits). Files given on the command line outside
    ``items/`` are not checked by this rule: the layout applies only below ``items/``. Each
    disagreement (wrong folder, file name, region folder) is its own finding, located at the
    element that disagrees, with the expected path as the hint.

    Bad::

        # items/basic/000123018001.yaml
        basic_code: "000123018000"

    Good::

        # items/basic/000123018000.yaml
        basic_code: "000123018000"
    """

    code = "COD007"
    name = "path-mismatch"
    summary = "The file's folder or name disagrees with its kind, code or region."
    summary_zh = "文件所在目录或文件名与事项类别、编码或行政区划不一致。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        rel = entry.path
        if not rel.startswith(ITEMS):
            return
        parts = rel[len(ITEMS) :].split("/")
        if isinstance(item, BasicItem):
            yield from self._basic(entry, item, parts, ctx)
        elif isinstance(item, ImplementationItem):
            yield from self._implementation(entry, item, parts, ctx)

    def _wrong_folder(
        self, ctx: Context, entry: Entry, zh_kind: str, en_kind: str, folder: str, expected: str
    ) -> Finding:
        return self.finding(
            ctx,
            entry.doc,
            "/kind",
            f"{zh_kind}应放在 {folder} 目录下，而不是 {entry.path}。",
            f"{en_kind} belongs under {folder}, not at {entry.path}",
            hint_zh=f"移动到 {expected}",
            hint_en=f"move it to {expected}",
        )

    def _basic(
        self, entry: Entry, item: BasicItem, parts: list[str], ctx: Context
    ) -> Iterator[Finding]:
        code = _usable(item.basic_code) if "/basic_code" not in entry.invalid else None
        expected = f"{ITEMS}basic/{code}.yaml" if code else f"{ITEMS}basic/<basic_code>.yaml"
        if len(parts) != 2 or parts[0] != "basic":
            yield self._wrong_folder(
                ctx, entry, "基本目录事项", "a basic item", f"{ITEMS}basic/", expected
            )
            return
        if code and _stem(parts[1]) != code:
            yield self.finding(
                ctx,
                entry.doc,
                "/basic_code",
                f"文件名 {parts[1]} 与{ctx.label('basic_code')} “{code}” 不一致。",
                f"file name {parts[1]} does not match {ctx.label('basic_code')} '{code}'",
                hint_zh=f"改名为 {expected}（或改正基本编码）",
                hint_en=f"rename it to {expected} (or fix the basic code)",
            )

    def _implementation(
        self, entry: Entry, item: ImplementationItem, parts: list[str], ctx: Context
    ) -> Iterator[Finding]:
        region = _usable(item.region) if "/region" not in entry.invalid else None
        local = not item.basic_code
        code = None if local else _usable(item.implementation_code)
        if "/implementation_code" in entry.invalid:
            code = None
        name = f"{code}.yaml" if code else (parts[-1] if local else "<implementation_code>.yaml")
        expected = f"{ITEMS}implementation/{region or '<region>'}/{name}"
        if len(parts) != 3 or parts[0] != "implementation":
            zh_kind = "地方实施事项" if local else "实施清单事项"
            en_kind = "a local item" if local else "an implementation item"
            folder = f"{ITEMS}implementation/<region>/"
            yield self._wrong_folder(ctx, entry, zh_kind, en_kind, folder, expected)
            return
        if region and parts[1] != region:
            yield self.finding(
                ctx,
                entry.doc,
                "/region",
                f"目录 {parts[1]} 与{ctx.label('region')} “{region}” 不一致。",
                f"folder {parts[1]} does not match {ctx.label('region')} '{region}'",
                hint_zh=f"移动到 {expected}（或改正行政区划）",
                hint_en=f"move it to {expected} (or fix the region)",
            )
        if code and _stem(parts[2]) != code:
            yield self.finding(
                ctx,
                entry.doc,
                "/implementation_code",
                f"文件名 {parts[2]} 与{ctx.label('implementation_code')} “{code}” 不一致。",
                f"file name {parts[2]} does not match {ctx.label('implementation_code')} '{code}'",
                hint_zh=f"改名为 {expected}（或改正实施编码）",
                hint_en=f"rename it to {expected} (or fix the implementation code)",
            )
