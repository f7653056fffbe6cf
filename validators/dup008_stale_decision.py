"""DUP008: WARNING — duplicate detection, run by ``catalog check`` (and ``catalog dupes``)."""

from __future__ import annotations

from catalog_cli.dupes.rule import DupRule
from catalog_cli.findings import Severity


class RuleDUP008(DupRule):
    """Stale decisions.

    A decision that names a code no item has, or a pair that is no longer reported, documents
    nothing any more; it may hide a future, different pair with the same codes.

    Bad: a decision for 000123019000 after that item was removed.

    Good: delete the decision, or update its codes.
    """

    code = "DUP008"
    name = "stale-decision"
    severity = Severity.WARNING
    summary = "A reviewed pair names an unknown code or no longer matches any pair."
    summary_zh = "已审核的配对引用了不存在的编码，或已不再构成配对。"
