"""Vocabularies for duplicate matching: data files in ``standards/vocabularies/*.yaml``.

Each file has its own strict model (``extra="forbid"``); a broken file raises
:class:`~catalog_cli.standard.StandardError` (exit code 2) with file and line. A catalog's own
``standards/vocabularies/`` extends the bundled files of the same name: lists are appended,
mappings merged over. This module must not import :mod:`catalog_cli.standard` at import time
(standard imports it), so the model loader is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VocabMeta(_Strict):
    version: str
    source: str
    name: str | None = None


def _nonblank(values: list[str]) -> list[str]:
    for v in values:
        if not v.strip():
            raise ValueError("empty term")
    return values


class NormalizeFile(_Strict):
    meta: VocabMeta
    drop_chars: str = ""
    brackets: dict[str, str] = Field(default_factory=dict)
    separators: str = ""
    fillers: list[str] = Field(default_factory=list)
    leading_fillers: list[str] = Field(default_factory=list)
    trailing_fillers: list[str] = Field(default_factory=list)

    _v = field_validator("fillers", "leading_fillers", "trailing_fillers")(_nonblank)


class LevelTagsFile(_Strict):
    meta: VocabMeta
    levels: list[str] = Field(default_factory=list)
    suffixes: list[str] = Field(default_factory=list)
    exercise_suffixes: list[str] = Field(default_factory=list)
    exercise_max_chars: int = Field(default=6, ge=1, le=20)

    _v = field_validator("levels", "suffixes", "exercise_suffixes")(_nonblank)


class SynonymGroup(_Strict):
    canonical: str
    terms: list[str] = Field(min_length=1)
    context: list[str] = Field(default_factory=list)

    _v = field_validator("terms", "context")(_nonblank)


class SynonymsFile(_Strict):
    meta: VocabMeta
    groups: list[SynonymGroup] = Field(default_factory=list)


class ActionGroup(_Strict):
    name: str
    terms: list[str] = Field(min_length=1)

    _v = field_validator("terms")(_nonblank)


class ActionsFile(_Strict):
    meta: VocabMeta
    groups: list[ActionGroup] = Field(default_factory=list)


class KeyTermsFile(_Strict):
    meta: VocabMeta
    distinct_chars: str = ""
    groups: list[list[str]] = Field(default_factory=list)

    @field_validator("groups")
    @classmethod
    def _groups(cls, groups: list[list[str]]) -> list[list[str]]:
        for g in groups:
            _nonblank(g)
        return groups


class ScriptFile(_Strict):
    meta: VocabMeta
    characters: dict[str, str] = Field(default_factory=dict)

    @field_validator("characters")
    @classmethod
    def _single(cls, chars: dict[str, str]) -> dict[str, str]:
        for k, v in chars.items():
            if len(k) != 1 or len(v) != 1:
                raise ValueError(f"'{k}: {v}': one character on each side")
        return chars


FILES: dict[str, type[BaseModel]] = {
    "normalize": NormalizeFile,
    "level_tags": LevelTagsFile,
    "synonyms": SynonymsFile,
    "actions": ActionsFile,
    "key_terms": KeyTermsFile,
    "script": ScriptFile,
}


@dataclass
class Vocabularies:
    """Merged vocabularies; empty defaults so a standard without the folder still works."""

    drop_chars: str = ""
    brackets: dict[str, str] = field(default_factory=dict)
    separators: str = ""
    fillers: list[str] = field(default_factory=list)
    leading_fillers: list[str] = field(default_factory=list)
    trailing_fillers: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    level_suffixes: list[str] = field(default_factory=list)
    exercise_suffixes: list[str] = field(default_factory=list)
    exercise_max_chars: int = 6
    synonyms: list[SynonymGroup] = field(default_factory=list)
    actions: list[ActionGroup] = field(default_factory=list)
    distinct_chars: str = ""
    key_terms: list[list[str]] = field(default_factory=list)
    script: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)  # file → meta.version

    def merge(self, name: str, model: BaseModel, origin: Path) -> None:
        """Add one validated file's content (a catalog's file extends the bundled one)."""
        data: Any = model
        self.versions[str(origin)] = data.meta.version
        if isinstance(model, NormalizeFile):
            self.drop_chars += model.drop_chars
            self.brackets.update(model.brackets)
            self.separators += model.separators
            self.fillers += model.fillers
            self.leading_fillers += model.leading_fillers
            self.trailing_fillers += model.trailing_fillers
        elif isinstance(model, LevelTagsFile):
            self.levels += model.levels
            self.level_suffixes += model.suffixes
            self.exercise_suffixes += model.exercise_suffixes
            self.exercise_max_chars = model.exercise_max_chars
        elif isinstance(model, SynonymsFile):
            self.synonyms += model.groups
        elif isinstance(model, ActionsFile):
            known = {g.name: i for i, g in enumerate(self.actions)}
            for g in model.groups:
                if g.name in known:  # same group name: extend its terms
                    old = self.actions[known[g.name]]
                    self.actions[known[g.name]] = ActionGroup(
                        name=g.name, terms=[*old.terms, *g.terms]
                    )
                else:
                    self.actions.append(g)
        elif isinstance(model, KeyTermsFile):
            self.distinct_chars += model.distinct_chars
            self.key_terms += model.groups
        elif isinstance(model, ScriptFile):
            self.script.update(model.characters)


def load_vocabularies(
    dirs: list[Path], load_model: Callable[[Path, type[BaseModel]], BaseModel]
) -> Vocabularies:
    """Load ``vocabularies/*.yaml`` from each directory in order (bundled first)."""
    vocab = Vocabularies()
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.yaml")):
            model_type = FILES.get(path.stem)
            if model_type is None:
                from catalog_cli.standard import StandardError

                raise StandardError(
                    f"{path}: unknown vocabulary file; expected one of "
                    + ", ".join(f"{n}.yaml" for n in FILES),
                    zh=f"{path}：未知的词表文件；应为以下之一："
                    + "、".join(f"{n}.yaml" for n in FILES),
                )
            vocab.merge(path.stem, load_model(path, model_type), path)
    return vocab
