"""Run the tool as it runs installed: with its modules byte-compiled."""

from __future__ import annotations

import compileall
import importlib.resources
from pathlib import Path

import catalog_cli
from catalog_cli.rules import bundled_rules_dir


def byte_compile() -> None:
    """Write the bytecode of the tool's modules and bundled rules, as installing a wheel does.

    Where ``PYTHONDONTWRITEBYTECODE`` is set (it is on the machine the figures come from), an
    editable checkout would otherwise compile some fifty modules again on every run: 0.2-0.3 s
    that no installed tool pays, and that the timings must not count.
    """
    standards = Path(str(importlib.resources.files("catalog_cli.bundled_standards")))
    for directory in (Path(catalog_cli.__file__).parent, bundled_rules_dir(), standards):
        compileall.compile_dir(directory, quiet=1)
