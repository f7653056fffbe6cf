"""YML005: alias bombs and absurdly deep nesting."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleYML005(ProblemRule):
    """Anchors and aliases let a few lines expand into billions of values (the 'billion laughs'
    attack) and exhaust memory in every tool that reads the file. An item has a few hundred
    values; a file that expands past 20,000 is rejected unread.

    Bad::

        a: &a [x, x, x, x, x, x, x, x, x]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]   # ... and so on

    Good: write each value out; one item per file.
    """

    code = "YML005"
    name = "too-many-nodes"
    severity = Severity.ERROR
    summary = "The file expands to too many nodes (alias bomb) or nests too deep."
    summary_zh = "文件展开后节点过多（别名炸弹）或嵌套过深。"
