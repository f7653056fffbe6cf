"""Reviewed pairs: ``decisions.yaml`` at the catalog root (beside ``items/``).

```yaml
- a: "000123018000"
  b: "210123018000"
  decision: not-duplicate        # not-duplicate | duplicate | merge
  into: "000123018000"           # merge only: the code that stays
  reason: 省级事项对象不同
  by: 张三
  date: 2026-01-15
```

The file is read like an item file (``load_document``: YAML problems carry file:line) and each
entry is validated strictly; problems become findings (DUP007), never exceptions. Entries that
are broken are skipped, the rest still apply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from catalog_cli.findings import Finding, Severity
from catalog_cli.loader import load_document

FILENAME = "decisions.yaml"


class DecisionModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    a: str = Field(min_length=1)
    b: str = Field(min_length=1)
    decision: Literal["not-duplicate", "duplicate", "merge"]
    into: str | None = None
    reason: str = Field(min_length=1)
    by: str = Field(min_length=1)
    date: dt.date

    @model_validator(mode="after")
    def _merge(self) -> DecisionModel:
        if self.a == self.b:
            raise ValueError("a and b must be different codes")
        if self.decision == "merge" and self.into not in (self.a, self.b):
            raise ValueError("a merge needs 'into': the code of a or b that stays")
        if self.decision != "merge" and self.into is not None:
            raise ValueError("'into' is only for decision: merge")
        return self


@dataclass(frozen=True, slots=True)
class Decision:
    a: str
    b: str
    decision: str
    into: str | None
    line: int | None
    index: int

    @property
    def codes(self) -> frozenset[str]:
        return frozenset((self.a, self.b))


def _finding(
    code: str,
    rule: str,
    sev: Severity,
    zh: str,
    en: str,
    lang: str,
    path: str,
    line: int | None,
    column: int | None = None,
    pointer: str = "",
    hint: tuple[str, str] = ("", ""),
) -> Finding:
    return Finding(
        code,
        rule,
        sev,
        zh if lang == "zh" else en,
        path,
        line,
        column,
        pointer,
        hint[0] if lang == "zh" else hint[1],
    )


def load_decisions(root: Path, lang: str = "zh") -> tuple[list[Decision], list[Finding]]:
    """Valid decisions and findings for everything wrong with the file (missing file: none)."""
    path = root / FILENAME
    if not path.exists() and not path.is_symlink():
        return [], []
    doc = load_document(path, root)
    findings = [
        _finding(
            "DUP007",
            "invalid-decisions",
            Severity.ERROR,
            f"决定文件有问题（{p.code}）：{p.zh}",
            f"decisions file problem ({p.code}): {p.en}",
            lang,
            doc.relpath,
            p.line,
            p.column,
            p.pointer,
            (p.hint_zh, p.hint_en),
        )
        for p in doc.problems
        if p.code != "YML004"  # a quoted-looking value is still read as the text written
    ]
    data = doc.data
    if data is None:
        return [], findings
    if not isinstance(data, list):
        line, col = doc.locate("")
        findings.append(
            _finding(
                "DUP007",
                "invalid-decisions",
                Severity.ERROR,
                "决定文件必须是列表，每项包含 a、b、decision、reason、by、date。",
                "the decisions file must be a list of {a, b, decision, reason, by, date}",
                lang,
                doc.relpath,
                line,
                col,
                "",
                ("参考 catalog dupes --help", "see catalog dupes --help"),
            )
        )
        return [], findings
    out: list[Decision] = []
    for i, entry in enumerate(data):
        ptr = f"/{i}"
        try:
            m = DecisionModel.model_validate(entry)
        except ValidationError as exc:
            for err in exc.errors():
                loc = "".join(f"/{x}" for x in err["loc"])
                line, col = doc.locate(ptr + loc)
                where = "/".join(str(x) for x in err["loc"]) or "entry"
                findings.append(
                    _finding(
                        "DUP007",
                        "invalid-decisions",
                        Severity.ERROR,
                        f"第 {i + 1} 条决定无效（{where}）：{err['msg']}",
                        f"decision {i + 1} is invalid ({where}): {err['msg']}",
                        lang,
                        doc.relpath,
                        line,
                        col,
                        ptr + loc,
                    )
                )
            continue
        line, _ = doc.locate(ptr)
        out.append(Decision(m.a, m.b, m.decision, m.into, line, i))
    seen: dict[frozenset[str], Decision] = {}
    for d in out:
        if d.codes in seen:
            findings.append(
                _finding(
                    "DUP007",
                    "invalid-decisions",
                    Severity.ERROR,
                    f"{d.a} 与 {d.b} 的决定重复（第一次在第 {seen[d.codes].line} 行）。",
                    f"a second decision for {d.a} and {d.b} (first at line {seen[d.codes].line})",
                    lang,
                    doc.relpath,
                    d.line,
                    None,
                    f"/{d.index}",
                )
            )
        else:
            seen[d.codes] = d
    return list(seen.values()), findings


def stale_finding(d: Decision, unknown: list[str], lang: str) -> Finding:
    """A decision naming an unknown code, or no longer matching any reported pair."""
    if unknown:
        codes = ", ".join(unknown)
        zh = f"决定引用了目录中不存在的编码 {codes}。"
        en = f"the decision names a code not in the catalog: {codes}"
    else:
        zh = f"{d.a} 与 {d.b} 已不再构成候选重复对，这条决定已过时。"
        en = f"{d.a} and {d.b} no longer form a candidate pair; the decision is stale"
    return _finding(
        "DUP008",
        "stale-decision",
        Severity.WARNING,
        zh,
        en,
        lang,
        FILENAME,
        d.line,
        None,
        f"/{d.index}",
        ("删除或更新这条决定", "remove or update the decision"),
    )
