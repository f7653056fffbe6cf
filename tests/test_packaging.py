"""The tool as a normal wheel: it carries its standard and rules, and runs where git is missing."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEMPLATES


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(out.glob("catalog_cli-*.whl"))
    target = out / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(target)
    assert "catalog_cli/bundled_standards/codelists.yaml" in names
    assert "catalog_cli/bundled_standards/regions/areas.csv" in names
    assert any(n.startswith("catalog_cli/bundled_rules/cod003") for n in names)
    assert not any(n.startswith(("validators/", "standards/", "items/")) for n in names)
    return target


def _isolated(site: Path) -> dict[str, str]:
    """Environment for ``python -S``: the extracted wheel first, then the dependencies.

    ``-S`` skips .pth files, so the development checkout's editable install cannot shadow the
    wheel's own copy of the bundled standard and rules.
    """
    deps = sysconfig.get_paths()["purelib"]
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), deps])}


def _run(
    site: Path, cwd: Path, *args: str, path_env: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = _isolated(site)
    if path_env is not None:
        env["PATH"] = path_env
    return subprocess.run(
        [sys.executable, "-S", "-m", "catalog_cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _catalog(tmp_path: Path) -> Path:
    root = tmp_path / "cat"
    (root / "items" / "basic").mkdir(parents=True)
    (root / "items" / "basic" / "000123018000.yaml").write_text(
        (TEMPLATES / "basic.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return root


def test_installed_wheel_finds_its_standard_and_rules(wheel_dir: Path, tmp_path: Path) -> None:
    root = _catalog(tmp_path)
    probe = _run(wheel_dir, root, "rules", "--json")
    assert probe.returncode == 0, probe.stderr
    assert '"COD003"' in probe.stdout
    result = _run(wheel_dir, root, "validate", "--lang", "en")
    assert result.returncode == 0, result.stdout + result.stderr
    where = subprocess.run(
        [sys.executable, "-S", "-c", "import catalog_cli.standard as s; print(s.bundled_dir())"],
        env=_isolated(wheel_dir),
        cwd=tmp_path,  # not the checkout: its catalog_cli/ would shadow the wheel's
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(wheel_dir) in where  # the wheel's copy, not the checkout's


def test_runs_where_git_is_missing(wheel_dir: Path, tmp_path: Path) -> None:
    root = _catalog(tmp_path)
    no_git = str(Path(sys.executable).parent)  # python, but no git on PATH
    result = _run(wheel_dir, root, "check", path_env=no_git)
    assert result.returncode == 0, result.stderr
    result = _run(wheel_dir, root, "check", "--since", "main", "--lang", "en", path_env=no_git)
    assert result.returncode == 2
    assert "needs git" in result.stderr and "Traceback" not in result.stderr
    result = _run(wheel_dir, root, "check", "--since", "main", path_env=no_git)  # (中文)
    assert result.returncode == 2
    assert "需要 git" in result.stderr and "Traceback" not in result.stderr
