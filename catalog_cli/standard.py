"""Load the standard (code lists, element table, regions, extensions) from ``standards/``.

The bundled standard ships inside the wheel; a catalog repository with its own ``standards/``
folder extends it: its code-list entries and elements are merged over the defaults, and its
``extensions/*.yaml`` are added. Every file is validated on load; a broken file raises
:class:`StandardError` with file and line, which the CLI turns into exit code 2.
"""

from __future__ import annotations

import csv
import difflib
import importlib.resources
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from catalog_cli.config import ConfigError
from catalog_cli.dupes.vocab import Vocabularies, load_vocabularies
from catalog_cli.loader import load_document

Presence = Literal["required", "optional", "locked", "absent"]
_M = TypeVar("_M", bound=BaseModel)
PROFILES = ("basic", "implementation", "local")


class StandardError(ConfigError):
    """A standard file is missing or invalid; the message says where and what (in English, and
    in Chinese for the standards staff who edit these files: ``ConfigError.text``)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meta(_Strict):
    version: str
    source: str
    name: str | None = None


class EntrySpec(_Strict):
    label: str
    provinces: tuple[str, ...] = ()


class CodeListSpec(_Strict):
    label: str | None = None
    label_en: str | None = None
    status: str | None = None
    open: bool = False
    entries: dict[str, str | EntrySpec] = Field(default_factory=dict)


class CodeListsFile(_Strict):
    meta: Meta
    lists: dict[str, CodeListSpec]


class Element(_Strict):
    """One row of the element table."""

    key: str
    label: str
    label_en: str
    codelist: str | None = None
    basic: Presence | None = None
    implementation: Presence | None = None
    local: Presence | None = None
    types: tuple[str, ...] = ()

    def presence(self, profile: str) -> Presence | None:
        value: Presence | None = getattr(self, profile)
        return value


class ElementsFile(_Strict):
    meta: Meta
    elements: list[Element]


class StandardFile(_Strict):
    meta: Meta
    files: dict[str, str]


@dataclass(frozen=True, slots=True)
class CodeList:
    """A code list after merging extensions: code → label, optional province restriction."""

    name: str
    label: str
    label_en: str
    open: bool
    entries: dict[str, str]
    provinces: dict[str, tuple[str, ...]]

    def valid(self, code: str, province: str | None = None) -> bool:
        if code not in self.entries:
            return False
        allowed = self.provinces.get(code)
        return not allowed or (province is not None and province in allowed)


_NATIONAL = ("000000", "000000000", "000000000000")  # national bodies, padded or not


@dataclass
class Regions:
    """The division code list; townships are read only when a 9/12-digit code is asked about."""

    directory: Path
    provinces: dict[str, str]
    cities: dict[str, str]
    areas: dict[str, str]
    _streets: dict[str, str] | None = field(default=None, repr=False)

    @property
    def streets(self) -> dict[str, str]:
        if self._streets is None:
            self._streets = _read_codes(self.directory / "streets.csv")
        return self._streets

    @staticmethod
    def canonical(code: str) -> str:
        """Strip platform padding: ``511602000000`` → ``511602``, ``110000`` → ``11``."""
        c = code
        if len(c) == 12 and c.endswith("000"):
            c = c[:9]
        if len(c) == 9 and c.endswith("000"):
            c = c[:6]
        if len(c) == 6 and c.endswith("00"):
            c = c[:4]
        if len(c) == 4 and c.endswith("00"):
            c = c[:2]
        return c

    def level(self, code: str) -> int | None:
        """Administrative level a region code denotes (1 national … 6 village), None if unknown."""
        if code in _NATIONAL:
            return 1
        c = self.canonical(code)
        return {2: 2, 4: 3, 6: 4, 9: 5, 12: 6}.get(len(c))

    def exists(self, code: str) -> bool:
        if not code.isdigit() or len(code) not in (6, 9, 12):
            return False
        if code in _NATIONAL:
            return True
        c = self.canonical(code)
        if len(c) == 2:
            return c in self.provinces
        if len(c) == 4:
            return c in self.cities
        if len(c) == 6:
            return c in self.areas
        if len(c) == 9:
            return c in self.streets
        return c[:9] in self.streets  # no village list: accept a real township prefix

    def name(self, code: str) -> str | None:
        c = self.canonical(code)
        if len(c) == 9:  # townships only when asked: reading them costs 0.3 s
            return self.streets.get(c)
        table = {2: self.provinces, 4: self.cities, 6: self.areas}.get(len(c))
        return table.get(c) if table is not None else None

    def lookup(self, code: str) -> str | None:
        """The canonical form of a region written with 2, 4, 6, 9 or 12 digits (``21``,
        ``2101``, ``210102``, padded or not), or None when the list has no such region."""
        c = code.strip()
        if not c.isdigit() or len(c) not in (2, 4, 6, 9, 12):
            return None
        full = c + "0000" if len(c) == 2 else c + "00" if len(c) == 4 else c
        return self.canonical(full) if self.exists(full) else None

    def closest(self, code: str, n: int = 3) -> list[str]:
        """Up to ``n`` province, city or county codes (six digits) most like ``code``: by
        similarity, then shared prefix (same province, city), then numeric distance, so that a
        typo and a wrong county both find a neighbour."""
        c = code.strip()
        six = c + "0" * (6 - len(c)) if len(c) in (2, 4) else c
        if not six.isdigit():
            return []
        known = [
            *(p + "0000" for p in self.provinces),
            *(p + "00" for p in self.cities),
            *self.areas,
        ]

        def key(candidate: str) -> tuple[float, int, int]:
            pairs = zip(six, candidate, strict=False)
            shared = next((i for i, (a, b) in enumerate(pairs) if a != b), len(six))
            ratio = difflib.SequenceMatcher(None, six, candidate).ratio()
            return (-ratio, -shared, abs(int(candidate) - int(six)))

        return [k for k in sorted(known, key=key)[:n] if key(k)[0] <= -0.6]

    def unknown(self, code: str, example: str = "21, 2101, 210102") -> tuple[str, str]:
        """What to say (zh, en) about a region code the list does not have: the closest codes,
        else an ``example`` of what a code looks like."""
        named = [f"{c} {self.name(c) or ''}".strip() for c in self.closest(code)]
        return (
            f"行政区划代码 “{code}” 不在区划代码表中"
            + (f"；最接近的是：{'、'.join(named)}" if named else f"（例如 {example}）"),
            f"region code '{code}' is not in the region list"
            + (f"; the closest are: {', '.join(named)}" if named else f" (e.g. {example})"),
        )

    @cached_property
    def place_names(self) -> frozenset[str]:
        """Full names with their suffix (广安区, 辽宁省), for the place-name-in-item-name rule."""
        names = set(self.provinces.values()) | set(self.areas.values())
        names |= {
            n for n in self.cities.values() if n not in ("市辖区", "县", "省直辖县级行政区划")
        }
        return frozenset(n for n in names if len(n) >= 3)


@dataclass
class Standard:
    """Everything the rules need to know about the standard."""

    version: str
    sources: dict[str, str]
    codelists: dict[str, CodeList]
    elements: dict[str, Element]
    regions: Regions
    directories: tuple[Path, ...]
    vocabularies: Vocabularies = field(default_factory=Vocabularies)  # duplicate matching

    _by_presence: dict[tuple[str, str], list[Element]] = field(default_factory=dict, repr=False)

    def with_presence(self, profile: str, presence: str) -> list[Element]:
        """Elements with ``presence`` for ``profile`` (memoized: rules ask per item)."""
        key = (profile, presence)
        found = self._by_presence.get(key)
        if found is None:
            found = [el for el in self.elements.values() if el.presence(profile) == presence]
            self._by_presence[key] = found
        return found

    @cached_property
    def coded_elements(self) -> list[Element]:
        """Elements whose values come from a code list."""
        return [el for el in self.elements.values() if el.codelist is not None]

    def label(self, key: str, lang: str = "zh") -> str:
        el = self.elements.get(key)
        if el is None:
            return key
        return el.label if lang == "zh" else el.label_en


def _read_codes(path: Path) -> dict[str, str]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or not {"code", "name"} <= set(reader.fieldnames):
                raise StandardError(
                    f"{path}: needs the columns code,name", zh=f"{path}：需要 code、name 两列"
                )
            return {row["code"]: row["name"] for row in reader}
    except OSError as exc:
        why = exc.strerror or exc
        raise StandardError(
            f"{path}: cannot read ({why})", zh=f"{path}：无法读取（{why}）"
        ) from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise StandardError(
            f"{path}: not a UTF-8 CSV file ({exc})",
            zh=f"{path}：不是 UTF-8 编码的 CSV 文件（{exc}）",
        ) from exc


def _load_model(path: Path, model: type[_M]) -> _M:
    doc = load_document(path, path.parent, max_bytes=16 * 1024 * 1024)
    errors = [p for p in doc.problems if p.code not in ("YML004",)]
    if errors:
        p = errors[0]
        raise StandardError(f"{path}:{p.line or 1}: {p.en}", zh=f"{path}:{p.line or 1}: {p.zh}")
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        err = exc.errors()[0]
        ptr = "".join(f"/{x}" for x in err["loc"])
        line, _ = doc.locate(ptr)
        raise StandardError(
            f"{path}:{line or 1}: standard file invalid at {ptr or '/'}: {err['msg']}",
            zh=f"{path}:{line or 1}: 标准文件在 {ptr or '/'} 处无效：{err['msg']}",
        ) from exc


def bundled_dir() -> Path:
    """The standard shipped with the tool (inside the wheel, or the checkout when editable)."""
    return Path(str(importlib.resources.files("catalog_cli.bundled_standards")))


def _merge_lists(
    into: dict[str, dict[str, Any]], spec: dict[str, CodeListSpec], origin: Path
) -> None:
    for name, cl in spec.items():
        target = into.setdefault(
            name, {"label": name, "label_en": name, "open": False, "entries": {}, "prov": {}}
        )
        if cl.label:
            target["label"] = cl.label
        if cl.label_en:
            target["label_en"] = cl.label_en
        target["open"] = target["open"] or cl.open
        for code, entry in cl.entries.items():
            if isinstance(entry, EntrySpec):
                target["entries"][code] = entry.label
                target["prov"][code] = entry.provinces
            else:
                target["entries"][code] = entry
                target["prov"].pop(code, None)


def load_standard(extra: Path | None = None) -> Standard:
    """Load the bundled standard, then merge ``extra`` (a catalog's own ``standards/``) over it."""
    base = bundled_dir()
    dirs = [base]
    if extra is not None and extra.is_dir() and extra.resolve() != base.resolve():
        dirs.append(extra)
    lists: dict[str, dict[str, Any]] = {}
    elements: dict[str, Element] = {}
    sources: dict[str, str] = {}
    version = ""
    regions_dir = base / "regions"
    for d in dirs:
        std_file = d / "standard.yaml"
        if std_file.exists():
            std = _load_model(std_file, StandardFile)
            version = std.meta.version if not version else f"{version}+{std.meta.version}"
            sources[str(std_file)] = std.meta.source
        elif d is base:
            raise StandardError(
                f"{std_file}: missing; the bundled standard is incomplete",
                zh=f"{std_file}：缺失；随工具提供的标准不完整",
            )
        cl_file = d / "codelists.yaml"
        if cl_file.exists():
            cl = _load_model(cl_file, CodeListsFile)
            sources[str(cl_file)] = cl.meta.source
            _merge_lists(lists, cl.lists, cl_file)
        el_file = d / "elements.yaml"
        if el_file.exists():
            ef = _load_model(el_file, ElementsFile)
            sources[str(el_file)] = ef.meta.source
            for el in ef.elements:
                elements[el.key] = el
        ext_dir = d / "extensions"
        if ext_dir.is_dir():
            for ext in sorted(ext_dir.glob("*.yaml")):
                ef2 = _load_model(ext, CodeListsFile)
                sources[str(ext)] = ef2.meta.source
                _merge_lists(lists, ef2.lists, ext)
        if (d / "regions" / "areas.csv").exists():
            regions_dir = d / "regions"
    for el in elements.values():
        if el.codelist and el.codelist not in lists:
            raise StandardError(
                f"element {el.key!r} names an unknown code list {el.codelist!r}",
                zh=f"要素“{el.key}”引用了不存在的代码表“{el.codelist}”",
            )
    codelists = {
        name: CodeList(
            name, v["label"], v["label_en"], v["open"], dict(v["entries"]), dict(v["prov"])
        )
        for name, v in lists.items()
    }
    regions = Regions(
        regions_dir,
        _read_codes(regions_dir / "provinces.csv"),
        _read_codes(regions_dir / "cities.csv"),
        _read_codes(regions_dir / "areas.csv"),
    )
    vocabularies = load_vocabularies([d / "vocabularies" for d in dirs], _load_model)
    return Standard(version, sources, codelists, elements, regions, tuple(dirs), vocabularies)
