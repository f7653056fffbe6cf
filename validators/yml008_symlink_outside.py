"""YML008: symlinks that leave the repository."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleYML008(ProblemRule):
    """The catalog is what is in the repository: a link to a file elsewhere makes a check depend on
    one machine and can leak files into exports. Such links are not followed.

    Bad: ``items/basic/x.yaml -> /home/me/draft.yaml``

    Good: copy the file into items/.
    """

    code = "YML008"
    name = "symlink-outside"
    severity = Severity.ERROR
    summary = "A symlink points outside the repository."
    summary_zh = "符号链接指向仓库之外。"
