"""A catalog's own rule files (``validators/`` in the catalog) run beside the bundled ones.

Rules that declare ``per_file`` or ``per_item`` run in the worker processes; any other rule runs
in the main process, which then loads the items itself. Either way the findings do not depend
on how many processes did the work.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from benchmarks.generate import generate
from catalog_cli.engine import Options, validate
from catalog_cli.parallel import PARALLEL_MIN_FILES
from tests.conftest import TEMPLATES, MakeCatalog, invoke

HEADER = """
from catalog_cli.findings import Finding
from catalog_cli.rules import CatalogRule, Context, ItemRule
"""

# reads only its own file: runs in the workers
PER_FILE = '''
class RuleLOC001(ItemRule):
    """Item names must not say 测试 (test). Bad:: name: 测试事项  Good:: name: 户籍登记"""

    code = "LOC001"
    name = "no-test-names"
    summary = "The name says 测试."
    summary_zh = "名称含“测试”。"
    per_file = True

    def check(self, entry, item, ctx: Context):
        if item.name and "测试" in item.name:
            yield self.finding(ctx, entry.doc, "/name", "名称含“测试”。", "the name says 测试")
'''

# reads the whole catalog from an item rule: runs in the main process, on entries loaded there
LEGACY = '''
class RuleLOC002(ItemRule):
    """The first file of the catalog is marked. Bad:: (any)  Good:: (any)"""

    code = "LOC002"
    name = "first-file"
    summary = "The first file of the catalog."
    summary_zh = "目录中的第一个文件。"

    def check(self, entry, item, ctx: Context):
        first = min(e.path for e in ctx.catalog.entries)
        if entry.path == first:
            yield self.finding(
                ctx, entry.doc, "", f"共 {len(ctx.catalog.entries)} 个文件", "first", key=False
            )
'''

# a catalog rule on the full entries
CATALOG = '''
class RuleLOC003(CatalogRule):
    """Counts the implementation items. Bad:: (any)  Good:: (any)"""

    code = "LOC003"
    name = "count-implementations"
    summary = "How many implementation items there are."
    summary_zh = "实施清单事项的数量。"

    def check(self, catalog, ctx: Context):
        n = sum(1 for _ in catalog.implementations())
        first = catalog.entries[0]
        yield self.finding(ctx, first.doc, "", f"{n} 个实施清单事项", f"{n} implementation items")
'''


def _with_rules(root: Path, *sources: str) -> None:
    (root / "validators").mkdir(exist_ok=True)
    (root / "validators" / "local_rules.py").write_text(HEADER + "".join(sources), "utf-8")


def _codes(root: Path, *args: str) -> list[tuple[str, str, int | None]]:
    found = validate(Options(cwd=root, use_cache=False, lang="en", select=list(args)))
    return [(f.code, f.path, f.line) for f in found.findings]


def test_a_catalogs_own_rules_run_and_report(make_catalog: MakeCatalog) -> None:
    basic = (TEMPLATES / "basic.yaml").read_text("utf-8")
    root = make_catalog(
        {
            "items/basic/000123018000.yaml": basic,
            "items/basic/000123018001.yaml": basic.replace("000123018000", "000123018001").replace(
                "name: 饮用水", "name: 测试饮用水"
            ),
            "items/implementation/i.yaml": (TEMPLATES / "implementation.yaml").read_text("utf-8"),
        }
    )
    _with_rules(root, PER_FILE, LEGACY, CATALOG)
    found = _codes(root, "LOC")
    assert ("LOC001", "items/basic/000123018001.yaml", 3) in found
    assert ("LOC002", "items/basic/000123018000.yaml", 1) in found
    assert ("LOC003", "items/basic/000123018000.yaml", 1) in found
    code, out, _ = invoke(root, "validate", "--select", "LOC", "--format", "json", "--lang", "en")
    assert code == 1 and '"message":"1 implementation items"' in out
    code, out, _ = invoke(root, "rules", "LOC001")
    assert code == 0 and "测试" in out


def test_local_rules_give_the_same_findings_on_all_cores_and_on_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cat"
    generate(PARALLEL_MIN_FILES + 100, root)
    first = sorted((root / "items" / "basic").rglob("*.yaml"))[0]
    first.write_text(first.read_text("utf-8").replace("name: ", "name: 测试", 1), "utf-8")
    _with_rules(root, PER_FILE, LEGACY, CATALOG)
    parallel = _codes(root, "LOC")
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert _codes(root, "LOC") == parallel
    assert {c for c, _, _ in parallel} == {"LOC001", "LOC002", "LOC003"}


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("def broken(:\n", "cannot import rule file"),
        (PER_FILE.replace('"LOC001"', '"LOC1"'), "is not three capitals + three digits"),
        (PER_FILE.replace('name = "no-test-names"', 'name = "No Names"'), "kebab-case name"),
        (PER_FILE + PER_FILE.replace("RuleLOC001", "RuleLOC001b"), "is also defined"),
    ],
)
def test_a_broken_rule_file_is_a_configuration_error(
    make_catalog: MakeCatalog, source: str, says: str
) -> None:
    root = make_catalog({"items/basic/000123018000.yaml": (TEMPLATES / "basic.yaml").read_text()})
    _with_rules(root, source)
    code, _, err = invoke(root, "validate")
    assert code == 2, err
    assert says in err and "local_rules.py" in err
    assert "Traceback" not in err


def test_a_local_rule_replaces_the_bundled_one_with_its_code(make_catalog: MakeCatalog) -> None:
    root = make_catalog({"items/basic/000123018000.yaml": (TEMPLATES / "basic.yaml").read_text()})
    _with_rules(root, PER_FILE.replace('"LOC001"', '"ELE007"').replace("测试", "饮用水"))
    found = _codes(root, "ELE007")
    assert found == [("ELE007", "items/basic/000123018000.yaml", 3)]
    shutil.rmtree(root / "validators")
    assert _codes(root, "ELE007") == []  # the bundled ELE007 has nothing to say here
