"""The fast parse path (catalog_cli/fastpath.py) never changes a result.

Whenever ``fast_document`` accepts a text, its document must equal ``load_document``'s in every
observable way (data with types and key order, problems, suppressions, sha, text, positions).
Checked on every YAML text in the repository, on generated benchmark items, on hypothesis-made
texts full of YAML 1.1 look-alikes, and with the Rust parser unavailable.
"""

from __future__ import annotations

import json
import pickle
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from catalog_cli import fastpath
from catalog_cli.engine import Options, validate
from catalog_cli.fastpath import fast_document, load_file
from catalog_cli.loader import DEFAULT_MAX_BYTES, Document, load_document
from tests.conftest import ROOT
from tests.test_rule_cases import CASES_DIR, _template

CORPUS_DIRS = ["items", "standards", "tests", "validators", "tools", ".github"]
BENCH_ITEMS = 300


def _typed(value: Any) -> Any:
    """A comparable form that keeps types and key order (1, 1.0 and True differ; nan == nan)."""
    if type(value) is dict:
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if type(value) is list:
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, repr(value))


def _case_texts() -> dict[str, bytes]:
    """Every file text inside tests/rules/cases/*.yaml, templates rendered as the runner does."""
    out: dict[str, bytes] = {}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
        for i, case in enumerate(cases):
            for rel, spec in case["files"].items():
                name = f"cases/{path.stem}/{i}/{rel}"
                if isinstance(spec, str):
                    out[name] = spec.encode("utf-8")
                elif "text" in spec:
                    prefix = spec.get("prefix", "").encode("latin-1")
                    out[name] = prefix + spec["text"].encode(spec["encoding"])
                elif "template" in spec:
                    out[name] = _template(spec["template"], spec.get("patch") or {}).encode()
    return out


def _repo_texts() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for top in CORPUS_DIRS:
        for p in sorted((ROOT / top).rglob("*")):
            if p.suffix in (".yaml", ".yml") and p.is_file() and not p.is_symlink():
                out[p.relative_to(ROOT).as_posix()] = p.read_bytes()
    for p in sorted(ROOT.glob("*.y*ml")):
        out[p.name] = p.read_bytes()
    return out


@pytest.fixture(scope="module")
def bench_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("bench") / "catalog"
    generate(BENCH_ITEMS, root)
    return {
        "bench/" + p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / "items").rglob("*.yaml"))
    }


@pytest.fixture(scope="module")
def corpus(bench_texts: dict[str, bytes]) -> dict[str, bytes]:
    texts = {**_repo_texts(), **_case_texts(), **bench_texts}
    assert len(texts) > 500
    return texts


def _pair(name: str, raw: bytes) -> tuple[Document, Document | None]:
    path = Path("/repo") / name
    slow = load_document(path, Path("/repo"), raw=raw)
    fast = fast_document(path, Path("/repo"), raw, DEFAULT_MAX_BYTES)
    return slow, fast


def _assert_same(slow: Document, fast: Document) -> None:
    assert slow.problems == []
    assert fast.problems == []
    assert _typed(fast.data) == _typed(slow.data)
    assert (fast.path, fast.relpath, fast.sha, fast.text) == (
        slow.path,
        slow.relpath,
        slow.sha,
        slow.text,
    )
    assert fast.suppressions == slow.suppressions


def test_fast_path_equals_the_loader_on_the_whole_corpus(corpus: dict[str, bytes]) -> None:
    fast_names = []
    for name, raw in corpus.items():
        slow, fast = _pair(name, raw)
        if fast is not None:
            _assert_same(slow, fast)
            fast_names.append(name)
    fast_set = set(fast_names)
    items = [n for n in corpus if n.startswith("items/")]
    bench = [n for n in corpus if n.startswith("bench/")]
    assert len(items) >= 50 and len(bench) == BENCH_ITEMS
    # the guard is only worth having if real item files pass it
    assert [n for n in items if n not in fast_set] == []
    assert [n for n in bench if n not in fast_set] == []
    print(f"fast path: {len(fast_set)} of {len(corpus)} corpus texts")
    # and it must refuse plenty: the rule cases are full of deliberately broken YAML
    assert len(fast_set) < len(corpus)


@pytest.mark.parametrize("route", ["scan", "pyyaml"])
def test_lazy_positions_equal_eager_positions(
    corpus: dict[str, bytes], route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every way ``locate`` may find positions: a top-level key's line alone, the fast path's
    scan, or PyYAML on ``text``."""
    if route == "pyyaml":
        monkeypatch.setattr(fastpath, "positions", lambda text: None)
    checked = top = 0
    for name, raw in corpus.items():
        slow, fast = _pair(name, raw)
        if fast is None:
            continue
        assert not fast.positions_ready and fast.positions == {}
        if route == "scan":
            assert fastpath.positions(fast.text or "") == (slow.positions, slow.key_positions)
        # documents cross process boundaries before anyone asks for a position
        fast = pickle.loads(pickle.dumps(fast))
        top += _top_locations(slow, fast)
        assert fast.locate("/no/such/pointer") == slow.locate("/no/such/pointer")
        assert fast.positions_ready
        assert fast.positions == slow.positions
        assert fast.key_positions == slow.key_positions
        for ptr in slow.key_positions:
            assert fast.locate(ptr, key=True) == slow.locate(ptr, key=True)
        checked += 1
    assert checked >= 350
    assert top >= checked * 10  # most top-level elements are found without the full scan


@pytest.mark.parametrize(
    "text",
    [
        "a: yes\n",
        "a: No\n",
        "a: on\n",
        "a: y\n",
        "a: tRue\n",
        "a: nULL\n",
        "a: 0755\n",
        "a: 0x1F\n",
        "a: 0o17\n",
        "a: 0b101\n",
        "a: 1_000\n",
        "a: 000123017000\n",
        "a: 000123018000\n",  # a string to PyYAML, 123018000 to fast_yaml
        "a: 1:20\n",
        "a: .inf\n",
        "a: .nan\n",
        "a: 1e3\n",
        "a: 1\na: 2\n",
        "a:\n  b: 1\n  b: 2\n",
        "a:\n  - b: 1\n    b: 2\n",
        "a: {b: 1, b: 2}\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "<<: {a: 1}\n",
        "? a\n: 1\n",
        "%YAML 1.1\n---\na: 1\n",
        "---\na: 1\n",
        "a: 1\n...\n",
        "a: |\n  text\n",
        "a: >\n  text\n",
        "a: one\n  two\n",
        "a: 'one\n  two'\n",
        "a:\n\tb: 1\n",
        "a: 1\r\nb: 2\r\n",
        'a: "x\\ty"\n',
        "on: 1\n",
        "true: 1\n",
        "k" * 1100 + ": 1\n",  # YAML's 1024-character limit on implicit keys
        "a: {" + "k" * 1100 + ": 1}\n",
        "- a\n",
        "just text\n",
        "",
        "# only a comment\n",
        "a: 1\n # catalog: ignore[COD001]\n",  # a suppression without a reason (SUP001)
    ],
)
def test_the_guard_refuses(text: str) -> None:
    _slow, fast = _pair("x.yaml", text.encode())
    assert fast is None


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n",
        "a: -3\nb: 1.5\nc: true\nd: FALSE\ne: ~\nf: null\ng:\nh: 'yes'\ni: \"0755\"\n",
        "\ufeffa: 2024-01-01\nb: 024-22720511\nc: http://x.cn/a#b\n",
        "a: [1, 'x', \"y\", 饮用水]\nb: {c: 1, d: 工作日}\ne: []\nf: {}\n",
        "a:\n- 1\n- b: 2\n  c:\n  - 3\nd: 4  # comment\n",
        "a: 1 # catalog: ignore[COD001] 历史编码\n",
    ],
)
def test_the_guard_accepts(text: str) -> None:
    slow, fast = _pair("x.yaml", text.encode())
    assert fast is not None
    _assert_same(slow, fast)


KEYS = ["a", "b", "name", "kind", "x_1", "yes", "on", "Y", "null", "true", "<<", "'q'", "1"]
KEYS += ["k" * 1030]  # past YAML's limit on implicit keys
VALUES = [
    *["yes", "no", "Yes", "NO", "on", "off", "y", "n", "Off", "tRue", "nULL"],
    *["0755", "0x1F", "0o17", "0b101", "1_000", "000123018000", "000123017000", "1:20"],
    *["12:30:00", ".inf", "-.inf", ".nan", ".NaN", "1e3", "1.5e+3", "1.0", "1.", ".5", "-0"],
    *["+1", "12", "-1.5", "1,000", "NaN", "~", "null", "Null", "NULL", "true", "True", "FALSE"],
    *["'quoted'", "'it''s'", "'yes'", '"dq"', '"0755"', '"a\\tb"', "'", '"'],
    *["2024-01-01", "2024-01-01 10:00:00", "024-22720511", "饮用水", "a b", "a#b", "a #c"],
    *["http://x.y/z", "[1, 2]", "[]", "{}", "{a: 1, b: yes}", "{a: 1, a: 2}", "[a, 'b', \"c\"]"],
    *["[1, [2]]", "{a: {b: 1}}", "[a:b]", "[1, 2", "&x 1", "*x", "!!str 1", "!!int 1"],
    *["|", ">", "- x", "? x", ": x", "%x", "@x", "`x`", "=", "<<", "", "# note", "a: b"],
]
VALUES += ["v" * 1030, "{" + "k" * 1030 + ": 1}", "['" + "q" * 1030 + "']"]
JUNK = ["---", "...", "%YAML 1.1", "\tk: v", "k: v\r", "? a", "&a b: c", "<<: *a", "  more"]


SAFE_KEYS = ["a", "b", "c", "name", "kind"]  # few, so duplicates come up often
SAFE_VALUES = ["x", "饮用水", "1", "-3", "1.5", "true", "False", "~", "null", "'q'", '"dq"']
SAFE_VALUES += ["2024-01-01", "[1, 'a']", "{a: 1, b: x}", "[]", "a b", "http://x.y", "''", "0"]
SAFE_VALUES += ["'𝔘x'", "[ 𝔘 ,  'a' ]", "{ a:  1 ,b: 饮 }", "[ ]", "x  # c", "'a' # c"]


@st.composite
def _node(draw: st.DrawFn, depth: int) -> Any:
    """A tree of mappings (lists of pairs, keys may repeat), sequences and scalar source texts."""
    kind = draw(st.sampled_from(["scalar", "scalar", "map", "seq"] if depth < 3 else ["scalar"]))
    if kind == "scalar":
        return draw(st.sampled_from(VALUES if draw(st.integers(0, 4)) == 0 else SAFE_VALUES))
    size = draw(st.integers(0 if kind == "seq" else 1, 3))
    children = [draw(_node(depth + 1)) for _ in range(size)]
    if kind == "seq":
        return children
    keys = [draw(st.sampled_from(KEYS if draw(st.integers(0, 6)) == 0 else SAFE_KEYS))]
    keys += [draw(st.sampled_from(SAFE_KEYS)) for _ in children[1:]]
    return {"pairs": list(zip(keys, children, strict=True))}


def _render(node: Any, indent: int, lines: list[str], draw: st.DrawFn) -> None:
    pad = " " * indent
    if isinstance(node, dict):
        for key, child in node["pairs"]:
            if isinstance(child, str):
                lines.append(f"{pad}{key}: {child}" if child else f"{pad}{key}:")
            else:
                lines.append(f"{pad}{key}:")
                compact = isinstance(child, list) and draw(st.booleans())
                _render(child, indent + (0 if compact else 2), lines, draw)
    else:
        for child in node:
            if isinstance(child, str):
                lines.append(f"{pad}- {child}" if child else f"{pad}-")
            else:
                sub: list[str] = []
                _render(child, indent + 2, sub, draw)
                if isinstance(child, dict) and sub:  # `- key: v` with the rest under it
                    sub[0] = pad + "- " + sub[0][indent + 2 :]
                else:
                    sub.insert(0, pad + "-")
                lines.extend(sub)


@st.composite
def yamlish(draw: st.DrawFn) -> str:
    """Mostly well-formed item-like YAML, sometimes mutated into something odd."""
    lines: list[str] = []
    root = draw(_node(0))
    _render(root if isinstance(root, dict) else {"pairs": [("a", root)]}, 0, lines, draw)
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, len(lines)))
        what = draw(st.sampled_from(["junk", "indent", "comment", "blank", "trail"]))
        if what == "junk":
            lines.insert(i, draw(st.sampled_from(JUNK)))
        elif i < len(lines) and what == "indent":
            lines[i] = " " * draw(st.integers(1, 3)) + lines[i]
        elif what == "comment":
            lines.insert(i, " " * draw(st.integers(0, 4)) + "# note: x")
        elif what == "blank":
            lines.insert(i, "   ")
        elif i < len(lines):
            lines[i] += draw(st.sampled_from(["  ", "  # c", " #", "#c"]))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return bom + "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


def _top_locations(slow: Document, fast: Document) -> int:
    """Asserts every top-level position the fast document finds without its full scan is the
    loader's; returns how many it found that way."""
    assert not fast.positions_ready
    found = 0
    top = list(slow.data) if isinstance(slow.data, dict) else []
    for ptr in ["/" + str(k) for k in top] + ["/no_such_key", "", "/"]:
        for key in (False, True):
            got = fast._locate_top(ptr, key)
            if got is not None:
                assert got == slow.locate(ptr, key=key), (ptr, key)
                found += 1
    assert not fast.positions_ready  # nothing computed on the way
    return found


def _check_text(text: str) -> bool:
    """Whether the fast path accepted ``text``; asserts it agrees with the loader when it does."""
    slow, fast = _pair("x.yaml", text.encode("utf-8"))
    if fast is not None:
        _assert_same(slow, fast)
        _top_locations(slow, fast)
        assert fast.locate("") == slow.locate("")
        assert fast.positions == slow.positions and fast.key_positions == slow.key_positions
    return fast is not None


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yamlish())
def test_accepted_random_texts_equal_the_loader(text: str) -> None:
    _check_text(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab: -[]{}&*!#'\"\n\t019yesno.,|>?%@`~饮", "\r"])))
def test_accepted_character_soup_equals_the_loader(text: str) -> None:
    _check_text(text)


def test_random_sweep_exercises_both_paths() -> None:
    """Seeded and counted, so the property above cannot pass by refusing everything."""
    rng = random.Random(5)
    accepted = 0
    total = 3000
    for _ in range(total):
        lines: list[str] = []
        indent = 0
        for _ in range(rng.randint(1, 6)):
            indent = rng.choice([0, indent, indent + 2]) if lines else 0
            key = rng.choice(KEYS[:5] if rng.random() < 0.9 else KEYS)
            value = rng.choice(VALUES)
            lines.append(" " * indent + (f"{key}: {value}" if value else f"{key}:"))
        accepted += _check_text("\n".join(lines) + "\n")
    assert total * 0.05 < accepted < total * 0.95, accepted


def test_without_fast_yaml_every_file_takes_the_slow_path(
    corpus: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastpath, "_safe_load", None)
    for name, raw in list(corpus.items())[:200]:
        assert fast_document(Path(name), Path(), raw, DEFAULT_MAX_BYTES) is None
    f = next((ROOT / "items").rglob("*.yaml"))
    doc = load_file(f, ROOT, DEFAULT_MAX_BYTES)
    assert doc.positions_ready and doc.positions
    assert _typed(doc.data) == _typed(load_document(f, ROOT).data)


def _findings(result: Any) -> list[dict[str, Any]]:
    return [f.to_dict() for f in result.findings]


def test_validation_is_identical_with_and_without_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a catalog with findings on fast-path files, so that lazily computed lines are reported
    root = tmp_path / "catalog"
    (root / "items" / "basic").mkdir(parents=True)
    template = (ROOT / "tests" / "rules" / "templates" / "basic.yaml").read_text(encoding="utf-8")
    basic = template.replace('"000123018000"', '"000223018000"').replace("[3, 4]", "[3, 9]")
    (root / "items" / "basic" / "000223018000.yaml").write_text(basic, encoding="utf-8")
    (root / "items" / "basic" / "dup.yaml").write_text(basic + "kind: basic\n", encoding="utf-8")
    assert fast_document(root / "x.yaml", root, basic.encode(), DEFAULT_MAX_BYTES) is not None
    fast = _findings(validate(Options(cwd=root, use_cache=False)))
    assert len(fast) >= 2 and all(f["line"] for f in fast if f["path"].endswith("0.yaml"))
    monkeypatch.setattr(fastpath, "_safe_load", None)
    slow = _findings(validate(Options(cwd=root, use_cache=False)))
    assert fast == slow


def test_the_bundled_catalog_validates_the_same_when_fast_yaml_cannot_be_imported() -> None:
    script = (
        "import json, sys\nfrom pathlib import Path\n"
        "sys.modules['fast_yaml'] = None  # any `import fast_yaml` now raises ImportError\n"
        "from catalog_cli import fastpath\n"
        "from catalog_cli.engine import Options, validate\n"
        "assert fastpath._safe_load is None\n"
        "r = validate(Options(cwd=Path(sys.argv[1]), use_cache=False))\n"
        "print(json.dumps([f.to_dict() for f in r.findings]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    fast = _findings(validate(Options(cwd=ROOT, use_cache=False)))
    assert json.loads(proc.stdout) == fast


@pytest.mark.parametrize(
    ("text", "other"),
    [
        ("a: 1\n", {"a": True}),  # equal (1 == True), of another type
        ("a: 1\n", {"a": 1.0}),
        ("a: [1, 2]\n", {"a": (1, 2)}),
        ("a: p\nb: q\n", {"b": "q", "a": "p"}),  # equal as dicts, in another order
        ("a:\n  - b: 1\n", {"a": [{"b": 1, "c": None}]}),
    ],
)
def test_fast_data_refuses_a_parse_of_other_types_or_shape(
    text: str, other: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parser's data must equal the guard's, types and key order included."""

    assert fastpath.fast_data(text) is not None  # (with the real parser it is accepted)
    monkeypatch.setattr(fastpath, "_safe_load", lambda _: other)
    assert fastpath.fast_data(text) is None
