"""Run every rule's data-file cases (tests/rules/cases/<CODE>.yaml) through the engine."""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog_cli.engine import Options, validate
from catalog_cli.findings import Finding
from catalog_cli.rules import ItemRule, discover_rules

CASES_DIR = Path(__file__).parent / "rules" / "cases"
TEMPLATES = Path(__file__).parent / "rules" / "templates"
RULES = discover_rules(None)


def _template(name: str, patch: dict[str, Any]) -> str:
    data = yaml.safe_load((TEMPLATES / f"{name}.yaml").read_text(encoding="utf-8"))
    for key, value in patch.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _write(root: Path, files: dict[str, Any]) -> None:
    (root / "items").mkdir(parents=True, exist_ok=True)
    for rel, spec in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(spec, str):
            p.write_text(spec, encoding="utf-8")
        elif "symlink" in spec:
            target = Path(spec["symlink"])
            p.symlink_to(target if target.is_absolute() else root / target)
        elif "text" in spec:  # text in another encoding, or with a byte-order mark
            p.write_bytes(
                spec.get("prefix", "").encode("latin-1") + spec["text"].encode(spec["encoding"])
            )
        else:
            p.write_text(_template(spec["template"], spec.get("patch") or {}), encoding="utf-8")


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            params.append(pytest.param(doc["rule"], case, id=f"{doc['rule']}:{case['name']}"))
    return params


def _matches(f: Finding, want: dict[str, Any]) -> bool:
    got = f.to_dict()
    for key, value in want.items():
        if key == "message_contains":
            if value not in f.message:
                return False
        elif got.get(key) != value:
            return False
    return True


@pytest.mark.parametrize(("rule", "case"), _load_cases())
def test_rule_case(rule: str, case: dict[str, Any], tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    _write(root, case["files"])
    if case.get("config"):
        lines = [f"{k} = {v!r}".replace("'", '"') for k, v in case["config"].items()]
        (root / "catalog.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate(
        Options(cwd=root, lang=case.get("lang", "zh"), use_cache=False), duplicates=True
    )
    got = [f for f in result.findings if f.code == rule]
    expected = case["expect"]
    shown = "\n".join(
        f"  {f.path}:{f.line}:{f.column} {f.code} {f.pointer} {f.message}" for f in got
    )
    assert len(got) == len(expected), f"expected {len(expected)} {rule} findings, got:\n{shown}"
    unmatched = list(got)
    for want in expected:
        hit = next((f for f in unmatched if _matches(f, want)), None)
        assert hit is not None, f"no finding matches {want}; got:\n{shown}"
        unmatched.remove(hit)


def test_every_rule_has_passing_and_failing_cases() -> None:
    missing = []
    for r in RULES:
        path = CASES_DIR / f"{r.code}.yaml"
        if not path.exists():
            missing.append(f"{r.code}: no case file")
            continue
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
        if not any(c["expect"] == [] for c in cases):
            missing.append(f"{r.code}: no passing case")
        if not any(c["expect"] for c in cases):
            missing.append(f"{r.code}: no failing case")
    assert not missing, "\n".join(missing)


def test_templates_pass_every_rule(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    _write(
        root,
        {
            "items/basic/000123018000.yaml": {"template": "basic"},
            "items/implementation/210102/11210102001067856U4000123018000.yaml": {
                "template": "implementation"
            },
        },
    )
    result = validate(Options(cwd=root))
    assert [f.to_dict() for f in result.findings] == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_documented(rule: Any) -> None:
    doc = rule.doc()
    assert "Bad" in doc and "Good" in doc, f"{rule.code} docstring needs Bad and Good examples"
    assert rule.summary and rule.summary_zh


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_per_file_rules_do_not_read_the_catalog(rule: Any) -> None:
    """per_file rules run in worker processes without the catalog: they must not need it."""
    if not rule.per_file:
        return
    source = inspect.getsource(sys.modules[rule.__module__])
    assert "ctx.catalog" not in source, f"{rule.code} reads ctx.catalog but is per_file"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_per_item_rules_read_only_their_basic_item(rule: Any) -> None:
    """per_item rules run in worker processes that know only the basic items, and their cached
    findings are reused while the basic item is unchanged: they may look up nothing else."""
    if not rule.per_item:
        return
    source = inspect.getsource(sys.modules[rule.__module__])
    uses = re.findall(r"ctx\.catalog\.(\w+)", source)
    assert set(uses) <= {"basic", "basic_entry"}, f"{rule.code} reads ctx.catalog.{uses}"
    assert "catalog.entries" not in source and "catalog.facts" not in source


def test_rules_that_look_up_basic_items_run_beside_the_items() -> None:
    """Every bundled item rule that needs only the basic item says so (else it runs in the
    parent process, on items loaded a second time)."""
    for rule in RULES:
        if rule.source != "bundled" or rule.per_file or not issubclass(rule, ItemRule):
            continue
        assert rule.per_item, f"{rule.code} could declare per_item = True"
