"""Writing reports to files (``--output FORMAT=PATH``) and choosing the default format.

One run may write several formats; each file is written whole or not at all (a temporary file
in the same directory, then ``os.replace``), so a CI step never uploads half a SARIF log.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from catalog_cli.reporters import REPORTERS, Report


class OutputError(ValueError):
    """An ``--output`` value that cannot be used or a file that cannot be written (exit 2)."""


@contextlib.contextmanager
def stdout_guard() -> Iterator[None]:
    """Write to stdout inside this block; a reader that went away (``catalog … | head``) is not
    an error of ours, so writing stops quietly instead of ending in a traceback."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def default_format(env: Mapping[str, str]) -> str:
    """``github`` under GitHub Actions (``GITHUB_ACTIONS=true``), else ``text``."""
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"


def in_ci(env: Mapping[str, str]) -> bool:
    """Whether this runs in CI: ``CI`` set to anything but empty, ``0`` or ``false``, as GitHub
    Actions, GitLab CI and the other services set it."""
    return env.get("CI", "").strip().lower() not in ("", "0", "false")


def parse_outputs(values: list[str]) -> list[tuple[str, Path]]:
    """``["sarif=out/x.sarif", …]`` → ``[("sarif", Path("out/x.sarif")), …]``; ValueError if bad."""
    known = ", ".join(sorted(REPORTERS))
    outputs: list[tuple[str, Path]] = []
    seen: dict[Path, str] = {}
    for value in values:
        fmt, sep, target = value.partition("=")
        fmt = fmt.strip()
        if not sep or not fmt or not target:
            raise OutputError(
                f"--output expects FORMAT=PATH (FORMAT one of {known}), got '{value}'"
            )
        if fmt not in REPORTERS:
            raise OutputError(f"--output: '{fmt}' is not one of {known}")
        path = Path(target)
        key = path.absolute()
        if key in seen:
            raise OutputError(f"--output: {target} is named twice ({seen[key]} and {fmt})")
        seen[key] = fmt
        outputs.append((fmt, path))
    return outputs


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        tmp.chmod(0o666 & ~_umask())  # mkstemp makes 0600; give the file normal rights
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_outputs(report: Report, outputs: list[tuple[str, Path]]) -> None:
    """Render ``report`` once per (format, path) and write each file atomically."""
    for fmt, path in outputs:
        buffer = io.StringIO()
        REPORTERS[fmt].render(report, buffer)
        try:
            write_atomic(path, buffer.getvalue())
        except OSError as exc:
            raise OutputError(f"--output: cannot write {path}: {exc.strerror or exc}") from exc
