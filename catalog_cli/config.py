"""Finding the catalog root and reading its configuration.

Configuration lives in ``catalog.toml`` (top level) or ``[tool.catalog]`` of ``pyproject.toml``
at the catalog root; ``catalog.toml`` wins when both exist. Command-line options override it.
Unknown keys are rejected with a suggestion (exit code 2).
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from catalog_cli.findings import Severity
from catalog_cli.loader import DEFAULT_MAX_BYTES


class ConfigError(Exception):
    """Unreadable or invalid configuration, or no catalog to work on (exit code 2).

    ``str()`` is the message in English; ``zh``, where given, the same in Chinese
    (:meth:`text` picks one by the output language).
    """

    def __init__(self, message: str, *, zh: str = "") -> None:
        super().__init__(message)
        self.zh = zh

    def text(self, lang: str) -> str:
        """The message in ``lang`` ("zh" or "en"); English where there is no Chinese one."""
        return self.zh if lang == "zh" and self.zh else str(self)


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class Config(BaseModel):
    """``[tool.catalog]`` / ``catalog.toml``."""

    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True)

    select: list[str] = Field(default_factory=list)  # codes, code prefixes or rule names
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)  # code or name → severity
    paths: list[str] = Field(default_factory=lambda: ["items"])
    exclude: list[str] = Field(default_factory=list)  # glob patterns, repository-relative
    max_file_size: int = Field(default=DEFAULT_MAX_BYTES, gt=0)


def find_root(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` that is a catalog."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for d in (here, *here.parents):
        if (d / "catalog.toml").is_file() or (d / "items").is_dir():
            return d
        pp = d / "pyproject.toml"
        if pp.is_file() and "[tool.catalog]" in pp.read_text(encoding="utf-8", errors="replace"):
            return d
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}", zh=f"{path}：无法读取：{exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: invalid TOML: {exc}", zh=f"{path}：不是有效的 TOML：{exc}"
        ) from exc


def load_config(root: Path) -> tuple[Config, Path | None]:
    """The catalog's configuration and the file it came from (None: defaults)."""
    source: Path | None = None
    raw: dict[str, Any] = {}
    if (root / "catalog.toml").is_file():
        source = root / "catalog.toml"
        raw = _read_toml(source)
        raw = raw.get("tool", {}).get("catalog", raw) if "tool" in raw else raw
    elif (root / "pyproject.toml").is_file():
        data = _read_toml(root / "pyproject.toml")
        section = data.get("tool", {}).get("catalog")
        if section is not None:
            source = root / "pyproject.toml"
            raw = section
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{source}: [tool.catalog] must be a table", zh=f"{source}：[tool.catalog] 必须是表"
        )
    known = sorted({_kebab(n) for n in Config.model_fields})
    for key in raw:
        if key not in known:
            guess = difflib.get_close_matches(key, known, n=1)
            tip = f"; did you mean '{guess[0]}'?" if guess else f" (known: {', '.join(known)})"
            tip_zh = f"；是否应为“{guess[0]}”？" if guess else f"（可用的键：{'、'.join(known)}）"
            raise ConfigError(
                f"{source}: unknown configuration key '{key}'{tip}",
                zh=f"{source}：未知的配置键“{key}”{tip_zh}",
            )
    try:
        return Config.model_validate(raw), source
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise ConfigError(
            f"{source}: '{where}': {err['msg']}", zh=f"{source}：“{where}” 的值无效：{err['msg']}"
        ) from exc
