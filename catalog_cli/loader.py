"""Read one YAML file into a :class:`Document`: data plus a map from JSON pointer to line/column.

Nothing here raises for bad input. Every problem (encoding, syntax, duplicate keys, YAML 1.1
surprises, alias bombs, size) becomes a :class:`Problem` carrying a stable rule code; the rule
files under ``validators/`` turn problems into findings and document them.

We compose the YAML node graph with PyYAML's C parser (when available) and build Python values
ourselves, because only the node graph has marks for every key and value, and because PyYAML's
own constructor silently keeps the last of duplicate keys and reads ``yes``/``0755`` as YAML 1.1.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the C parser is ~10x faster; the pure one is the fallback where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the wheel
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

DEFAULT_MAX_BYTES = 1024 * 1024
MAX_NODES = 20_000  # expanded nodes per file; a real item has a few hundred
MAX_DEPTH = 64

Pos = tuple[int, int]

_TAG = "tag:yaml.org,2002:"
# Tags a plain data file may carry; anything else (!!python/..., !!binary, !custom) is refused.
_KNOWN_TAGS = frozenset(
    _TAG + t for t in ("str", "null", "bool", "int", "float", "timestamp", "seq", "map", "merge")
)
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_PLAIN_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_IDENT = re.compile(r"/[A-Za-z_][A-Za-z0-9_]*\Z")  # a top-level pointer to an identifier key
_SUPPRESS = re.compile(r"#\s*catalog:\s*(ignore(?:-file)?)\[([^\]]*)\]\s*(.*)$")


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong found before any rule ran; ``code`` names the rule that reports it."""

    code: str
    zh: str
    en: str
    line: int | None = None
    column: int | None = None
    pointer: str = ""
    hint_zh: str = ""
    hint_en: str = ""
    related: tuple[Pos, ...] = ()


@dataclass(slots=True)
class Suppression:
    """An inline ``# catalog: ignore[CODE] reason`` comment."""

    codes: frozenset[str]
    reason: str
    line: int  # the comment's own line
    column: int
    targets: frozenset[int]  # lines it applies to; empty means the whole file
    used: bool = False


@dataclass(slots=True)
class Document:
    """A loaded file: its text, data (None when it could not be parsed) and node positions."""

    path: Path
    relpath: str
    text: str | None = None
    data: Any = None
    sha: str = ""
    positions: dict[str, Pos] = field(default_factory=dict)
    key_positions: dict[str, Pos] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    # False when the data came from the fast path (catalog_cli.fastpath): positions are then
    # computed from ``text`` on the first ``locate``, since only findings need them.
    positions_ready: bool = True

    def __reduce__(self) -> tuple[Any, ...]:
        # Documents travel from the worker processes and through the item cache by pickle: the
        # path as text is ~5x cheaper to rebuild than pathlib's own pickled form.
        return _document, (
            str(self.path), self.relpath, self.text, self.data, self.sha, self.positions,
            self.key_positions, self.problems, self.suppressions, self.positions_ready,
        )  # fmt: skip

    def locate(self, pointer: str, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line/column of the node at ``pointer``, or of its nearest existing ancestor."""
        if not self.positions_ready:
            found = self._locate_top(pointer, key)
            if found is not None:
                return found
            self.compute_positions()
        p = pointer
        while True:
            table = self.key_positions if key and p in self.key_positions else self.positions
            if p in table:
                return table[p]
            if not p:
                return (1, 1) if self.text is not None else (None, None)
            p = p.rsplit("/", 1)[0]

    def _locate_top(self, pointer: str, key: bool) -> Pos | None:
        """A top-level key's position in a fast-path text, found without computing them all.

        Most findings point at a top-level element (``/name``, ``/local_code``). In the fast
        path's subset such a key sits at the start of a line of its own, once; its scalar or flow
        value starts after ``key:`` and spaces, where PyYAML's mark is. A value on later lines,
        an absent key and anything unusual take the full computation (tests/test_fastpath.py
        proves both equal).
        """
        name = pointer[1:]
        text = self.text
        if (
            text is None
            or not _IDENT.match(pointer)
            or not isinstance(self.data, dict)
            or name not in self.data
        ):
            return None
        head = name + ":"
        if text.startswith(head):
            start = 0
        else:
            start = text.find("\n" + head) + 1
            if start == 0:
                return None
        line = text.count("\n", 0, start) + 1
        if key:
            return line, 1
        col = start + len(head)
        end = len(text)
        while col < end and text[col] == " ":
            col += 1
        if col == start + len(head) or col == end or text[col] in "#\n":
            return None  # no value on this line: the node starts below (or is empty)
        return line, col - start + 1

    def compute_positions(self) -> None:
        """Fill ``positions``/``key_positions`` exactly as an eager load of ``text`` would."""
        from catalog_cli import fastpath  # imports this module

        # The fast path's own scan knows every mark of its subset at ~40% of PyYAML's cost
        # (tests/test_fastpath.py proves them equal); anything else is composed by PyYAML.
        found = fastpath.positions(self.text) if self.text is not None else None
        if found is None:
            scratch = Document(self.path, self.relpath)
            if self.text is not None:
                load_text(scratch, self.text)
            found = scratch.positions, scratch.key_positions
        self.positions, self.key_positions = found
        self.positions_ready = True

    def source_line(self, line: int | None) -> str:
        if self.text is None or line is None:
            return ""
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""


def _document(path: str, *fields: Any) -> Document:
    return Document(Path(path), *fields)


def escape(token: str) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer_of(*parts: str | int) -> str:
    return "".join("/" + escape(str(p)) for p in parts)


def _line_of_offset(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def decode(raw: bytes) -> tuple[str | None, Problem | None]:
    """Decode as UTF-8 (a BOM is fine); otherwise say what it looks like and how to convert."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem(
            "YML003",
            "文件是 UTF-16 编码，只接受 UTF-8。",
            "the file is UTF-16 encoded; only UTF-8 is accepted",
            1,
            1,
            hint_zh="用编辑器另存为 UTF-8，或运行 iconv -f UTF-16 -t UTF-8 旧文件 > 新文件",
            hint_en="save it as UTF-8, e.g. iconv -f UTF-16 -t UTF-8 OLD > NEW",
        )
    if b"\x00" in raw:
        return None, Problem(
            "YML003",
            "文件含空字节，不是文本文件。",
            "the file contains NUL bytes; it is not a text file",
            _line_of_offset(raw, raw.index(b"\x00")),
            None,
            hint_zh="事项文件必须是 UTF-8 编码的 YAML 文本",
            hint_en="item files must be UTF-8 YAML text",
        )
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = _line_of_offset(raw, exc.start)
        try:
            raw.decode("gb18030")
        except UnicodeDecodeError:
            return None, Problem(
                "YML003",
                f"文件不是 UTF-8 编码（第 {exc.start} 字节无法解码）。",
                f"the file is not UTF-8 (byte {exc.start} cannot be decoded)",
                line,
                None,
                hint_zh="把文件转换为 UTF-8 后再提交",
                hint_en="convert the file to UTF-8",
            )
        return None, Problem(
            "YML003",
            "文件不是 UTF-8 编码，看起来是 GBK/GB18030。",
            "the file is not UTF-8; it looks like GBK/GB18030",
            line,
            None,
            hint_zh="转换为 UTF-8：iconv -f GB18030 -t UTF-8 旧文件 > 新文件（或在编辑器中另存为 UTF-8）",
            hint_en="convert it: iconv -f GB18030 -t UTF-8 OLD > NEW (or save as UTF-8 in your editor)",
        )


class _TooBig(Exception):
    """Raised inside construction when a file expands past the node budget."""


class _Builder:
    """Builds plain Python values from a PyYAML node graph, recording positions and problems."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.budget = MAX_NODES

    def build(self, node: yaml.Node, ptr: str, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0 or depth > MAX_DEPTH:
            raise _TooBig
        mark = node.start_mark
        self.doc.positions.setdefault(ptr, (mark.line + 1, mark.column + 1))
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _KNOWN_TAGS:
            self._unsupported_tag(node, ptr)
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, ptr, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(v, f"{ptr}/{i}", depth + 1) for i, v in enumerate(node.value)]
        return self._scalar(node, ptr)

    def _mapping(self, node: yaml.MappingNode, ptr: str, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            kpos = (knode.start_mark.line + 1, knode.start_mark.column + 1)
            if not isinstance(knode, yaml.ScalarNode):
                self.doc.problems.append(
                    Problem(
                        "YML001",
                        "映射的键必须是简单的文字。",
                        "a mapping key must be a plain scalar",
                        *kpos,
                        pointer=ptr,
                    )
                )
                continue
            key = str(knode.value)
            if knode.tag == _TAG + "merge":
                self.doc.problems.append(
                    Problem(
                        "YML010",
                        "不支持 YAML 合并键 “<<”。",
                        "YAML merge keys (<<) are not supported",
                        *kpos,
                        pointer=ptr,
                        hint_zh="把需要的键直接写出来",
                        hint_en="write the keys out in full",
                    )
                )
                continue
            child = f"{ptr}/{escape(key)}"
            if key in out:
                first = self.doc.key_positions[child]
                self.doc.problems.append(
                    Problem(
                        "YML002",
                        f"键 “{key}” 重复出现（第一次在第 {first[0]} 行）；只保留第一次的值。",
                        f"duplicate key '{key}' (first at line {first[0]}); the first value is kept",
                        *kpos,
                        pointer=child,
                        hint_zh="删除或合并重复的键",
                        hint_en="remove or merge the duplicate key",
                        related=(first,),
                    )
                )
                continue
            self.doc.key_positions[child] = kpos
            out[key] = self.build(vnode, child, depth + 1)
        return out

    def _scalar(self, node: yaml.Node, ptr: str) -> Any:
        value = str(node.value)
        tag = node.tag
        if tag not in _KNOWN_TAGS:
            self._unsupported_tag(node, ptr)
            return value
        kind = tag[len(_TAG) :]
        if kind == "str":
            return value
        if kind == "null":
            return None
        if kind == "bool":
            if value.lower() in ("true", "false"):
                return value.lower() == "true"
            return self._ambiguous(
                node, ptr, value, "布尔值", "a boolean", "true 或 false", "true or false"
            )
        if kind == "int":
            if _PLAIN_INT.match(value):
                return int(value)
            return self._ambiguous(
                node, ptr, value, "八进制/特殊整数", "an octal or special integer"
            )
        if kind == "float":
            if _PLAIN_FLOAT.match(value):
                return float(value)
            return self._ambiguous(node, ptr, value, "特殊数值", "a special number")
        # timestamps and anything else stay exactly as written: date fields parse ISO text.
        return value

    def _unsupported_tag(self, node: yaml.Node, ptr: str) -> None:
        self.doc.problems.append(
            Problem(
                "YML010",
                f"不支持的 YAML 标签 “{node.tag}”；标签被忽略。",
                f"unsupported YAML tag '{node.tag}'; the tag is ignored",
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                pointer=ptr,
                hint_zh="删除标签",
                hint_en="remove the tag",
            )
        )

    def _ambiguous(
        self,
        node: yaml.Node,
        ptr: str,
        value: str,
        what_zh: str,
        what_en: str,
        fix_zh: str = "",
        fix_en: str = "",
    ) -> str:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        self.doc.problems.append(
            Problem(
                "YML004",
                f"“{value}” 在 YAML 1.1 中会被读成{what_zh}，本工具按文字 “{value}” 读取。",
                f"'{value}' is read as {what_en} by YAML 1.1 tools; this tool keeps the text '{value}'",
                line,
                col,
                pointer=ptr,
                hint_zh=f'加引号写成 "{value}"' + (f"，或写成 {fix_zh}" if fix_zh else ""),
                hint_en=f'quote it as "{value}"' + (f", or write {fix_en}" if fix_en else ""),
            )
        )
        return value


def parse_suppressions(text: str, doc: Document) -> None:
    """Collect ``# catalog: ignore[CODE] reason`` comments; a reason is required."""
    lines = text.splitlines()
    for idx, line in enumerate(lines):
        if "catalog:" not in line:
            continue
        m = _SUPPRESS.search(line)
        if not m:
            continue
        kind, codes_text, reason = m.group(1), m.group(2), m.group(3).strip()
        codes = frozenset(c.strip().upper() for c in codes_text.split(",") if c.strip())
        lineno, col = idx + 1, m.start() + 1
        if not codes or not reason:
            doc.problems.append(
                Problem(
                    "SUP001",
                    "忽略注释必须写明规则代码和理由。",
                    "a suppression comment needs rule codes and a reason",
                    lineno,
                    col,
                    hint_zh="写成 # catalog: ignore[COD003] 理由",
                    hint_en="write it as # catalog: ignore[COD003] reason",
                )
            )
            continue
        if kind == "ignore-file":
            targets: frozenset[int] = frozenset()
        elif line[: m.start()].strip():
            targets = frozenset({lineno})
        else:  # a comment on a line of its own covers the next line
            targets = frozenset({lineno, lineno + 1})
        doc.suppressions.append(Suppression(codes, reason, lineno, col, targets))


def load_text(doc: Document, text: str) -> None:
    """Parse ``text`` into ``doc`` (data, positions, problems)."""
    parse_suppressions(text, doc)
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        doc.problems.append(
            Problem(
                "YML007",
                "文件是空的。",
                "the file is empty",
                1,
                1,
                hint_zh="填写事项内容，或删除这个文件",
                hint_en="fill in the item, or delete the file",
            )
        )
        return
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        detail = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        # The parser often stops at the end of the file; where the broken construct started
        # (an unclosed bracket or quote) is the context mark, given as a related location.
        ctx_mark = exc.context_mark
        related = (
            ((ctx_mark.line + 1, ctx_mark.column + 1),)
            if ctx_mark is not None and mark is not None and ctx_mark.line != mark.line
            else ()
        )
        doc.problems.append(
            Problem(
                "YML001",
                f"YAML 语法错误：{detail}",
                f"YAML syntax error: {detail}",
                line,
                col,
                hint_zh="检查这一行及上一行的缩进、冒号和引号"
                + (f"；这个结构从第 {related[0][0]} 行开始" if related else ""),
                hint_en="check indentation, colons and quotes on this line and the one above"
                + (f"; the construct starts at line {related[0][0]}" if related else ""),
                related=related,
            )
        )
        return
    except (yaml.YAMLError, RecursionError, MemoryError) as exc:
        doc.problems.append(
            Problem("YML001", f"YAML 无法解析：{exc}", f"YAML cannot be parsed: {exc}", 1, 1)
        )
        return
    if node is None or (
        isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "null" and not node.value
    ):
        doc.problems.append(Problem("YML007", "文件是空的。", "the file is empty", 1, 1))
        return
    try:
        doc.data = _Builder(doc).build(node, "", 0)
    except (_TooBig, RecursionError):
        doc.data = None
        doc.problems.append(
            Problem(
                "YML005",
                f"文件展开后超过 {MAX_NODES} 个节点或嵌套超过 {MAX_DEPTH} 层（可能是别名炸弹）。",
                f"the file expands to more than {MAX_NODES} nodes or {MAX_DEPTH} levels "
                "(an alias bomb?)",
                1,
                1,
                hint_zh="不要用锚点/别名反复引用大块内容",
                hint_en="do not use anchors/aliases to repeat large blocks",
            )
        )


# O_NOFOLLOW: a symlink fails to open and takes the careful path (not on every platform).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_CAREFUL = not hasattr(os, "O_NOFOLLOW")


def _read_regular(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of a regular file (not a symlink) of at most ``max_bytes``; None otherwise.

    Three system calls fewer than lstat + open() + read(), which matters on every file of every
    run. None for anything else (a symlink, a folder, a large or unreadable file): the careful
    path of :func:`read_source` then decides and says what is wrong.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
            return None
        chunks: list[bytes] = []
        want = st.st_size + 1  # all of it in the first read, unless it grew since fstat
        while chunk := os.read(fd, want):  # to the end (an empty read), as open().read() does
            chunks.append(chunk)
            want = 1 << 16
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def read_source(doc: Document, root: Path, max_bytes: int) -> bytes | None:
    """The bytes of ``doc.path`` after the symlink and size checks, or None with a problem on ``doc``."""
    path = doc.path
    if not _CAREFUL:
        raw = _read_regular(path, max_bytes)
        if raw is not None:
            return raw
    try:
        st = os.lstat(path)  # os, not pathlib: this runs for every file of every run
        if stat.S_ISLNK(st.st_mode):
            target = path.resolve()
            if not target.is_relative_to(root.resolve()):
                doc.problems.append(
                    Problem(
                        "YML008",
                        f"符号链接指向仓库之外（{target}），未读取。",
                        f"the symlink points outside the repository ({target}); not read",
                        hint_zh="把文件复制进仓库，不要链接",
                        hint_en="copy the file into the repository instead of linking it",
                    )
                )
                return None
            st = path.stat()
        size = st.st_size
        if size > max_bytes:
            doc.problems.append(
                Problem(
                    "YML006",
                    f"文件有 {size} 字节，超过上限 {max_bytes} 字节，未读取。",
                    f"the file has {size} bytes, over the limit of {max_bytes}; not read",
                    hint_zh="一个文件只写一个事项；确需更大时在配置中调大 max-file-size",
                    hint_en="keep one item per file, or raise max-file-size in the configuration",
                )
            )
            return None
        with open(path, "rb") as fh:  # noqa: PTH123 - one call fewer than read_bytes
            return fh.read()
    except OSError as exc:
        doc.problems.append(
            Problem(
                "YML009",
                f"无法读取文件：{exc.strerror or exc}",
                f"cannot read the file: {exc.strerror or exc}",
                hint_zh="检查文件权限和路径",
                hint_en="check the file's permissions and path",
            )
        )
        return None


def load_document(
    path: Path,
    root: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    raw: bytes | None = None,
    parse: bool = True,
) -> Document:
    """Load one file; never raises for anything the file contains.

    ``parse=False`` stops after decoding: the text alone, for reporters quoting source lines.
    """
    relpath = relative(path, root)
    doc = Document(path=path, relpath=relpath)
    if raw is None:
        raw = read_source(doc, root, max_bytes)
        if raw is None:
            return doc
    doc.sha = blob_id(raw)
    text, problem = decode(raw)
    if problem is not None:
        doc.problems.append(problem)
        return doc
    assert text is not None
    doc.text = text
    if parse:
        load_text(doc, text)
    return doc


def relative(path: Path, root: Path) -> str:
    """Repository-relative, ``/``-separated path (the absolute path when outside the root)."""
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def iter_yaml_files(base: Path) -> Iterator[Path]:
    """Every ``*.yaml``/``*.yml`` file under ``base`` (or ``base`` itself), sorted, no hidden dirs.

    Symlinked files are listed (the loader decides about them); symlinked folders are not entered.
    """
    yield from map(Path, yaml_file_names(base))


def blob_id(raw: bytes) -> str:
    """The file's content digest: git's object id for these bytes (the SHA-1 of ``blob <size>``,
    a NUL and the bytes), so that git can name an unchanged file's digest without its being read."""
    h = hashlib.sha1(b"blob %d\0" % len(raw))
    h.update(raw)
    return h.hexdigest()


def yaml_file_names(base: Path) -> list[str]:
    """:func:`iter_yaml_files` as strings: pathlib per entry costs ~35 µs, seconds for 100k items."""
    if base.is_file() or (base.is_symlink() and not base.is_dir()):
        return [str(base)]
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        # plain concatenation: os.path.join costs ~2 µs a call, 0.2 s on a 100k catalog
        prefix = dirpath if dirpath.endswith(os.sep) else dirpath + os.sep
        found.extend(
            prefix + name
            for name in filenames
            if name.endswith((".yaml", ".yml")) and not name.startswith(".")
        )
    found.sort()
    return found


def relative_name(root: Path) -> Callable[[str], str]:
    """``relative`` for path strings of the file walk (the same result, no pathlib)."""
    base = str(root.absolute())
    prefix = base.rstrip(os.sep) + os.sep
    cwd = os.getcwd()  # noqa: PTH109 - strings on purpose

    def rel(name: str) -> str:
        full = name if os.path.isabs(name) else os.path.join(cwd, name)  # noqa: PTH117, PTH118
        if full.startswith(prefix):
            return full[len(prefix) :].replace(os.sep, "/")
        return "." if full == base else relative(Path(name), root)

    return rel


def relative_names(root: Path, names: list[str]) -> list[str]:
    """:func:`relative_name` of many names; those under the root as written are cut in bulk."""
    rel = relative_name(root)
    if not names:
        return []
    probe = names[0]
    cut = rel(probe)
    head = probe[: len(probe) - len(cut)] if probe.endswith(cut) and cut != probe else ""
    if not head or os.sep != "/":
        return [rel(n) for n in names]
    n = len(head)
    return [name[n:] if name.startswith(head) else rel(name) for name in names]
