"""The CI formats: github, sarif, junit, markdown; --output; the format chosen under Actions."""

from __future__ import annotations

import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from catalog_cli import __version__
from catalog_cli.findings import Finding, Location, Severity
from catalog_cli.outputs import OutputError, default_format, parse_outputs, write_outputs
from catalog_cli.reporters import REPORTERS, Report, RuleInfo
from catalog_cli.reporters.github import GithubReporter, escape_data, escape_property
from catalog_cli.reporters.markdown import MarkdownReporter
from catalog_cli.rules import discover_rules
from tests.conftest import ROOT, assert_golden, invoke

FIXTURE = ROOT / "tests" / "fixtures" / "golden"
SCHEMA = ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json"
STABLE = ["--select", "YML", "--select", "SCH", "--select", "SUP"]
EXT = {"github": "github.txt", "sarif": "sarif", "junit": "junit.xml", "markdown": "md"}


@pytest.fixture(autouse=True)
def _not_in_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests may themselves run under GitHub Actions: start from a neutral environment."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE, root)
    return root


def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def assert_valid_sarif(log: dict[str, Any]) -> None:
    errors = sorted(sarif_validator().iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def finding(
    n: int,
    severity: Severity = Severity.ERROR,
    path: str = "items/basic/x.yaml",
    message: str = "",
    **kw: Any,
) -> Finding:
    return Finding(
        f"TST{n % 1000:03d}",
        f"test-rule-{n % 1000}",
        severity,
        message or f"problem number {n}",
        path,
        kw.pop("line", n + 1),
        kw.pop("column", 1),
        **kw,
    )


def render(fmt: str, report: Report) -> str:
    out = io.StringIO()
    REPORTERS[fmt].render(report, out)
    return out.getvalue()


# --- golden files -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", sorted(EXT))
def test_golden_output(catalog: Path, fmt: str, lang: str) -> None:
    rc, out, err = invoke(catalog, "validate", "-f", fmt, "--lang", lang, *STABLE)
    assert rc == 1, err
    if fmt == "sarif":
        out = stable_sarif(out)
    assert_golden(f"validate.{lang}.{EXT[fmt]}", out)


def stable_sarif(out: str) -> str:
    """The SARIF golden file minus what changes with other work: the tool's version and the
    rules' documentation (checked against the rules themselves in the test below)."""
    log = json.loads(out)
    assert out == json.dumps(log, ensure_ascii=False, indent=2) + "\n"
    driver = log["runs"][0]["tool"]["driver"]
    driver["version"] = "VERSION"
    for rule in driver["rules"]:
        for key in ("fullDescription", "help"):
            rule[key] = dict.fromkeys(rule[key], f"<doc of {rule['id']}>")
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


# --- sarif --------------------------------------------------------------------------------------


def test_sarif_golden_output_is_valid_and_complete(catalog: Path) -> None:
    rc, out, _ = invoke(catalog, "validate", "-f", "sarif", "--lang", "en", *STABLE)
    assert rc == 1
    log = json.loads(out)
    assert_valid_sarif(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["version"] == __version__
    # every selected rule is described, in code order, with its summary and documentation
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids) and {"YML001", "YML002", "SCH002", "SUP002"} <= set(ids)
    assert not any(i.startswith(("COD", "ELE", "STD")) for i in ids)
    dup = next(r for r in rules if r["id"] == "YML002")
    assert dup["name"] == "duplicate-key"
    assert dup["shortDescription"]["text"] == "A mapping has the same key twice."
    doc = next(r for r in discover_rules(None) if r.code == "YML002").doc()
    assert dup["help"] == {"text": doc, "markdown": doc}
    assert dup["fullDescription"]["text"] == doc.split("\n\n")[0] and "Bad::" in doc
    assert dup["defaultConfiguration"]["level"] == "error"
    results = run["results"]
    assert len(results) == 7
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    by_code = {r["ruleId"]: r for r in results}
    assert by_code["YML004"]["level"] == "warning"
    loc = by_code["SCH002"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {
        "uri": "items/basic/000123018000.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert loc["region"] == {"startLine": 14, "startColumn": 1}
    # no column known: startLine only
    assert by_code["YML003"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    related = by_code["YML002"]["relatedLocations"][0]
    assert related["physicalLocation"]["region"] == {"startLine": 10, "startColumn": 1}


def test_sarif_in_chinese_has_chinese_texts(catalog: Path) -> None:
    _, out, _ = invoke(catalog, "validate", "-f", "sarif", *STABLE)
    run = json.loads(out)["runs"][0]
    assert run["language"] == "zh-CN"
    dup = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "YML002")
    assert dup["shortDescription"]["text"] == "同一映射中键重复。"
    assert any("重复" in r["message"]["text"] for r in run["results"])


def test_sarif_edge_cases_stay_valid() -> None:
    findings = [
        finding(1, Severity.INFO, path="items/implementation/沈阳 市/a b.yaml"),
        finding(2, Severity.ERROR, line=None, column=None),
        finding(3, Severity.WARNING, related=(Location("items/x.yaml"), Location("y.yaml", 2, 3))),
    ]
    report = Report(findings, 3, "en", rules=[RuleInfo("TST001", "test-rule-1", "info", "s")])
    log = json.loads(render("sarif", report))
    assert_valid_sarif(log)
    results = log["runs"][0]["results"]
    assert results[0]["level"] == "note"
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "items/implementation/%E6%B2%88%E9%98%B3%20%E5%B8%82/a%20b.yaml"
    assert "region" not in results[1]["locations"][0]["physicalLocation"]
    # rules the report does not describe still get a descriptor for ruleIndex to point at
    ids = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert ids == ["TST001", "TST002", "TST003"]
    assert render("sarif", report) == render("sarif", report)


def test_sarif_text_is_the_standard_librarys_indented_json() -> None:
    """The fast writer (orjson) must write what json.dumps(indent=2) would, escapes included."""
    from catalog_cli.reporters.sarif import sarif_log

    tricky = 'quote " backslash \\ nl \n tab \t nul \x00 \x1f del \x7f \u2028 中文 😀 </x>'
    findings = [
        finding(1, message=tricky, hint=tricky, pointer="/a~1b/0"),
        finding(2, Severity.INFO, path=f"items/{tricky}.yaml", line=None, column=None),
        finding(3, Severity.WARNING, related=(Location("y.yaml", 2, 3),)),
    ]
    rules = [RuleInfo("TST001", "test-rule-1", "error", tricky, f"{tricky}\n\nBad:\n  x")]
    report = Report(findings, 3, "zh", rules=rules, version="1.0")
    expected = json.dumps(sarif_log(report), ensure_ascii=False, indent=2) + "\n"
    assert render("sarif", report) == expected


def test_the_schema_check_can_fail() -> None:
    log = json.loads(render("sarif", Report([finding(1)], 1, "en")))
    log["runs"][0]["results"][0]["level"] = "info"  # not a SARIF level
    assert list(sarif_validator().iter_errors(log))


# --- github -------------------------------------------------------------------------------------


def test_github_escaping() -> None:
    assert escape_data("100% a\r\nb: c, d") == "100%25 a%0D%0Ab: c, d"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    f = Finding(
        "TST001",
        "test-rule",
        Severity.ERROR,
        "50% off:\nnow, here",
        "items/a,b:c.yaml",
        3,
        4,
        hint="do x",
    )
    out = render("github", Report([f], 1, "en"))
    assert out.splitlines()[0] == (
        "::error file=items/a%2Cb%3Ac.yaml,line=3,col=4,endLine=3,title=TST001 test-rule"
        "::50%25 off:%0Anow, here%0Ahint: do x"
    )


def annotations(out: str) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {"error": [], "warning": [], "notice": []}
    for line in out.splitlines():
        for kind, lines in kinds.items():
            if line.startswith(f"::{kind} "):
                lines.append(line)
    return kinds


def test_github_limits_per_kind_and_summarises_the_rest() -> None:
    findings = (
        [finding(i) for i in range(25)]
        + [finding(100 + i, Severity.WARNING) for i in range(3)]
        + [finding(200 + i, Severity.INFO) for i in range(12)]
    )
    findings.sort(key=Finding.sort_key)
    out = render("github", Report(findings, 1, "en"))
    got = annotations(out)
    assert len(got["error"]) == 10
    assert len(got["warning"]) == 3
    assert len(got["notice"]) == 10  # 9 findings + the note of what was left out
    assert sum(map(len, got.values())) <= 50
    assert (
        "18 more findings are not annotated (15 errors, 0 warnings, 3 infos)" in got["notice"][-1]
    )
    # the left-out findings are in the log, indented so none can be read as a command
    group = out.split("::group::", 1)[1].split("::endgroup::", 1)[0].splitlines()[1:]
    assert len(group) == 18 and all(line.startswith("  items/") for line in group)
    shown = {line.split("title=")[1].split(" ")[0] for lines in got.values() for line in lines}
    assert "TST000" in shown and "TST024" not in shown


def test_github_under_the_limit_needs_no_note() -> None:
    findings = [finding(i) for i in range(10)] + [finding(50 + i, Severity.INFO) for i in range(10)]
    out = render("github", Report(findings, 1, "en"))
    got = annotations(out)
    assert (len(got["error"]), len(got["notice"])) == (10, 10)
    assert "::group::" not in out


def test_step_summary_is_appended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\nkeep me\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    findings = [finding(i, message=f"bad | value <{i}>") for i in range(60)]
    report = Report(findings, 4, "en")
    render("github", report)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\nkeep me\n")
    assert "60 errors, 0 warnings, 0 infos (4 files checked)" in text
    rows = [line for line in text.splitlines() if line.startswith("| ❌")]
    assert len(rows) == 50
    assert "bad \\| value &lt;0&gt;" in rows[0]
    assert "…and 10 more findings not listed." in text
    render("github", report)  # a second step appends again
    assert summary.read_text(encoding="utf-8").count("### catalog validate") == 2


def test_step_summary_not_written_without_the_variable(tmp_path: Path) -> None:
    out = render("github", Report([finding(1)], 1, "en"))
    assert out.startswith("::error ")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_step_summary_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    out = io.StringIO()
    GithubReporter(env={"GITHUB_STEP_SUMMARY": str(tmp_path)}).render(Report([], 0, "en"), out)
    assert "::warning::catalog: cannot write the job summary" in out.getvalue()


# --- markdown -----------------------------------------------------------------------------------


def test_markdown_is_truncated_under_githubs_limit() -> None:
    long = "名称不符合规范，" * 40
    findings = [
        finding(i, path=f"items/implementation/{i // 7:06d}/x{i}.yaml", message=f"{long}{i}")
        for i in range(3000)
    ]
    findings.append(finding(9999, message="x" * 200_000))  # one absurd message
    findings.sort(key=Finding.sort_key)
    body = render("markdown", Report(findings, 3000, "en"))
    assert len(body) < 65_536 and len(body.encode("utf-8")) < 65_536
    rows = sum(1 for line in body.splitlines() if line.startswith("| ❌"))
    assert 0 < rows < len(findings)
    assert f"{len(findings) - rows} more findings are not listed (of {len(findings)})" in body
    zh = render("markdown", Report(findings, 3000, "zh"))
    rows_zh = sum(1 for line in zh.splitlines() if line.startswith("| ❌"))
    assert f"另有 {len(findings) - rows_zh} 个问题未列出" in zh


def test_markdown_small_report_is_complete_and_escaped() -> None:
    findings = [
        finding(1, message="a | b <script>alert(1)</script> *x* `y`\nz"),
        finding(2, path="items/basic/y.yaml", line=None, column=None),
    ]
    body = MarkdownReporter().body(Report(findings, 2, "en"))
    assert "not listed" not in body
    assert "a \\| b &lt;script&gt;alert(1)&lt;/script&gt; \\*x\\* \\`y\\`<br>z" in body
    assert body.count("### ") == 2
    assert "| ❌ error |  | TST002" in body  # no line known: empty cell
    clean = MarkdownReporter().body(Report([], 5, "en"))
    assert clean == "## catalog validate ✅\n\n5 files checked, no problems found.\n"


# --- junit --------------------------------------------------------------------------------------


def test_junit_parses_back(catalog: Path) -> None:
    rc, out, _ = invoke(catalog, "validate", "-f", "junit", "--lang", "en", *STABLE)
    assert rc == 1
    root = ET.fromstring(out.encode("utf-8"))
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == ["000123018000.yaml", "broken.yaml", "gbk.yaml"]
    assert {c.get("classname") for c in cases} == {"items.basic"}
    assert root.get("tests") == "3" and root.get("failures") == "3"
    first = cases[0]
    failure = first.find("failure")
    assert failure is not None and failure.get("type") == "SCH005"
    assert (failure.text or "").count(": error ") == 4
    out_text = first.findtext("system-out") or ""
    assert "YML004" in out_text and "error" not in out_text


def test_junit_passing_files_and_unsafe_characters() -> None:
    report = Report(
        [
            finding(1, Severity.WARNING, path="items/a/w.yaml", message="bad \x01 byte \ufffe"),
            finding(2, path="top.yaml"),
        ],
        3,
        "en",
        documents=dict.fromkeys(("items/a/ok.yaml", "items/a/w.yaml", "top.yaml")),  # type: ignore[arg-type]
    )
    root = ET.fromstring(render("junit", report).encode("utf-8"))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {".", "items/a"}
    assert suites["items/a"].get("tests") == "2" and suites["items/a"].get("failures") == "0"
    assert suites["."].get("failures") == "1"
    ok = suites["items/a"].find("testcase[@name='ok.yaml']")
    assert ok is not None and len(ok) == 0
    assert "bad \ufffd byte \ufffd" in (suites["items/a"].findtext("testcase/system-out") or "")
    assert root.get("tests") == "3" and root.get("failures") == "1"


def _junit_through_elementtree(report: Report) -> str:
    """What the junit reporter wrote before it wrote XML itself: its cases as an ElementTree,
    indented and serialized by the standard library (the reference for escaping and layout)."""
    from catalog_cli.reporters.junit import JunitReporter

    suites = JunitReporter().suites(report)
    root = ET.Element("testsuites", name=f"{report.tool} {report.command}")
    total = failed = 0
    for directory, cases in suites:
        suite = ET.SubElement(root, "testsuite", name=directory)
        for classname, name, file, failure, system_out in cases:
            case = ET.SubElement(suite, "testcase", classname=classname, name=name, file=file)
            if failure is not None:
                ET.SubElement(case, "failure", message=failure[0], type=failure[1]).text = failure[
                    2
                ]
            if system_out is not None:
                ET.SubElement(case, "system-out").text = system_out
        fails = sum(1 for c in cases if c[3] is not None)
        for k, v in (("tests", len(cases)), ("failures", fails), ("errors", 0), ("skipped", 0)):
            suite.set(k, str(v))
        total, failed = total + len(cases), failed + fails
    for k, v in (("tests", total), ("failures", failed), ("errors", 0)):
        root.set(k, str(v))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def test_junit_is_written_as_elementtree_writes_it() -> None:
    tricky = 'q " a & b < c > d \t tab \r cr \n nl ]]> 中文 \x01 \ufffe'
    report = Report(
        [
            finding(1, Severity.WARNING, path=f"items/{tricky}/w.yaml", message=tricky),
            finding(2, path="top.yaml", message=tricky, hint=tricky),
            finding(3, path="top.yaml"),
            finding(4, Severity.INFO, path="items/a/both.yaml"),
            finding(5, path="items/a/both.yaml", line=None, column=None),
        ],
        4,
        "zh",
        documents=dict.fromkeys(("items/a/ok.yaml", "items/a/both.yaml", "top.yaml")),  # type: ignore[arg-type]
        command=tricky,
    )
    assert render("junit", report) == _junit_through_elementtree(report)
    empty = Report([], 0, "en")
    assert render("junit", empty) == _junit_through_elementtree(empty)
    assert render("junit", empty).endswith('errors="0" />\n')


# --- --output and the default format ------------------------------------------------------------


def test_output_writes_several_formats_in_one_run(catalog: Path) -> None:
    rc, out, err = invoke(
        catalog, "validate", "-f", "json", "--lang", "en", *STABLE,
        "--output", "sarif=reports/catalog.sarif",
        "--output", "junit=reports/catalog.xml",
        "-o", "markdown=comment.md",
    )  # fmt: skip
    assert rc == 1, err
    assert set(json.loads(out)) == {"findings", "summary"}  # stdout keeps its own format
    sarif = (catalog / "reports" / "catalog.sarif").read_text(encoding="utf-8")
    _, sarif_stdout, _ = invoke(catalog, "validate", "-f", "sarif", "--lang", "en", *STABLE)
    assert sarif == sarif_stdout
    assert_valid_sarif(json.loads(sarif))
    ET.fromstring((catalog / "reports" / "catalog.xml").read_bytes())
    assert (catalog / "comment.md").read_text(encoding="utf-8").startswith("## catalog validate")
    assert not list(catalog.rglob("*.tmp"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nope=x", "'nope' is not one of"),
        ("sarif", "expects FORMAT=PATH"),
        ("sarif=", "expects FORMAT=PATH"),
    ],
)
def test_bad_output_is_a_usage_error(catalog: Path, value: str, message: str) -> None:
    rc, out, err = invoke(catalog, "validate", "--output", value)
    assert rc == 2 and message in err and out == ""


def test_parse_outputs() -> None:
    assert parse_outputs(["sarif=a.sarif", "junit=out/b.xml"]) == [
        ("sarif", Path("a.sarif")),
        ("junit", Path("out/b.xml")),
    ]
    with pytest.raises(ValueError, match="named twice"):
        parse_outputs(["sarif=a", "junit=a"])


def test_write_outputs_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "x.sarif"
    target.write_text("old", encoding="utf-8")
    report = Report([finding(1)], 1, "en")

    class Boom:
        name, machine, description = "boom", True, ""

        def render(self, report: Report, out: io.StringIO) -> None:
            out.write("half")
            raise RuntimeError("reporter failed")

    REPORTERS["boom"] = Boom()  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError):
            write_outputs(report, [("boom", target)])
    finally:
        del REPORTERS["boom"]
    assert target.read_text(encoding="utf-8") == "old"
    write_outputs(report, [("sarif", target)])
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.sarif"]
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot write"):
        write_outputs(report, [("sarif", tmp_path / "file" / "x.sarif")])


def test_default_format() -> None:
    assert default_format({"GITHUB_ACTIONS": "true"}) == "github"
    assert default_format({"GITHUB_ACTIONS": "false"}) == "text"
    assert default_format({}) == "text"


def test_github_is_chosen_under_actions(catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _, out, _ = invoke(catalog, "validate", *STABLE)
    assert out.startswith("::error file=items/basic/000123018000.yaml,line=5,col=7")
    _, out, _ = invoke(catalog, "validate", "-f", "text", *STABLE)
    assert not out.startswith("::")


def test_json_lines_are_exactly_the_documented_finding_dicts() -> None:
    """The JSON reporter serializes Finding itself (fast); each line must be its to_dict()."""
    findings = [
        Finding(
            "DUP001",
            "same-code-conflict",
            Severity.WARNING,
            '名称 "A\\B"\n第二行 \u2028 emoji 🙂',
            "items/a.yaml",
            3,
            7,
            "/name",
            "提示",
            (Location("items/b.yaml", 1, None), Location("items/c.yaml")),
        ),
        # the text that separates findings in the serialized list, inside a message and a hint
        Finding(
            "YML001",
            "yaml-syntax",
            Severity.ERROR,
            '},{"code":"X"}',
            "items/x.yaml",
            hint='a},{"code":',
        ),
        Finding("YML001", "yaml-syntax", Severity.ERROR, "m", "items/y.yaml"),
    ]
    out = io.StringIO()
    REPORTERS["json"].render(Report(findings, 2, "zh", {}), out)
    doc = json.loads(out.getvalue())
    assert doc["findings"] == [f.to_dict() for f in findings]
    lines = out.getvalue().split("\n")  # (not splitlines: U+2028 is no line break here)
    assert [json.loads(ln.strip().rstrip(",")) for ln in lines[2:5]] == doc["findings"]


def test_the_job_summary_says_what_since_left_out() -> None:
    from catalog_cli.reporters import Since
    from catalog_cli.reporters.github import summary_markdown

    scope = Since("origin/main", frozenset({"items/a.yaml", "items/b.yaml"}))
    for findings in ([], [finding(1)]):
        text = summary_markdown(Report(findings, 9, "en", since=scope))
        assert "Only findings involving the 2 files changed since origin/main are reported." in text
        zh = summary_markdown(Report(findings, 9, "zh", since=scope))
        assert "只报告与自 origin/main 以来改动的 2 个文件有关的问题。" in zh
        assert "origin/main" not in summary_markdown(Report(findings, 9, "en"))
