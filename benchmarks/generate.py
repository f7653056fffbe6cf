"""Generate a large synthetic catalog for benchmarks: ``python benchmarks/generate.py N OUT``.

The catalog is realistic for both validation and matching: basic items with distinct names built
from real subjects and actions, implementation items for real regions whose credit codes pass
both checks, and local items (no basic code) whose names carry level tags and action variants
like a county list's. At least half of all names are distinct. Files are ~40 lines each.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog_cli.codes import implementation_code, make_credit_code, make_org_code  # noqa: E402

SUBJECTS = [
    "饮用水供水单位",
    "公共场所",
    "娱乐场所",
    "旅行社",
    "出版物零售单位",
    "印刷企业",
    "医疗机构",
    "药品零售企业",
    "食品生产企业",
    "食品经营者",
    "建筑施工企业",
    "房地产开发企业",
    "物业服务企业",
    "道路运输经营者",
    "出租汽车经营者",
    "机动车维修经营者",
    "危险化学品经营企业",
    "烟花爆竹经营单位",
    "特种设备使用单位",
    "个体工商户",
    "农民专业合作社",
    "民办非企业单位",
    "社会团体",
    "基金会",
    "宗教活动场所",
    "养老机构",
    "幼儿园",
    "民办学校",
    "职业培训机构",
    "人力资源服务机构",
    "劳务派遣单位",
    "检验检测机构",
    "计量器具制造企业",
    "种子生产经营者",
    "兽药经营企业",
    "饲料生产企业",
    "渔业船舶",
    "林木种子生产经营者",
    "野生动物人工繁育单位",
    "采矿权人",
    "探矿权人",
    "排污单位",
    "放射诊疗机构",
    "母婴保健技术服务机构",
    "消毒产品生产企业",
    "网吧",
    "互联网上网服务营业场所",
    "电影放映单位",
    "演出经纪机构",
    "文物商店",
]
OBJECTS = [
    "许可",
    "备案",
    "登记",
    "资质认定",
    "年度检验",
    "审批",
    "核准",
    "证明",
    "变更登记",
    "注销登记",
    "延续",
    "补证",
    "换证",
    "信息公示",
    "监督检查",
    "处罚",
    "奖励",
    "给付",
]
MODIFIERS = [
    "",
    "（新办）",
    "（延续）",
    "（变更）",
    "（注销）",
    "（补办）",
    "设立",
    "迁移",
    "分立",
    "合并",
]
TAGS = ["", "", "", "（县级）", "（市级/县级）", "(县级)", "（县级权限）"]
TYPES = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"]
DEPTS = ["09", "11", "15", "16", "17", "18", "20", "21", "22", "23", "24", "31", "73"]


def _regions() -> list[tuple[str, int]]:
    areas = ROOT / "standards" / "regions" / "areas.csv"
    with areas.open(encoding="utf-8") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    return [(c, 4) for c in codes[::7]]


def _names(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        name = rng.choice(SUBJECTS) + rng.choice(MODIFIERS) + rng.choice(OBJECTS)
        if len(seen) < n * 0.9 and name in seen:
            name += f"（{rng.choice(['一', '二', '三', '甲', '乙', '丙'])}类）"
        # distinct names are the norm; repeats are what a real catalog has too
        seen.add(name)
        out.append(name)
    return out


def _basic(code: str, name: str, type_: str, dept: str, levels: list[int]) -> str:
    return (
        "schema_version: 1\nkind: basic\n"
        f'name: {name}\nbasic_code: "{code}"\ntype: "{type_}"\n'
        "legal_basis:\n  - law: 《中华人民共和国行政许可法》\n    provision: 第十二条\n"
        f'levels: [{", ".join(map(str, levels))}]\ndepartment: "{dept}"\n'
        'status: 在用\nversion: "1"\neffective_date: 2023-01-01\n'
    )


def _implementation(
    code: str | None,
    basic: str | None,
    region: str,
    level: int,
    body: str,
    credit: str,
    name: str | None,
    local: str | None,
    type_: str,
) -> str:
    head = "schema_version: 1\nkind: implementation\n"
    if basic:
        head += f'basic_code: "{basic}"\nimplementation_code: "{code}"\n'
    else:
        head += f'name: {name}\ntype: "{type_}"\nlocal_code: "{local}"\n'
    return head + (
        f'level: {level}\nregion: "{region}"\n'
        f'body:\n  name: {body}\n  credit_code: "{credit}"\n  nature: "1"\n'
        'power_source: "1"\n'
        "statutory_limit: {value: 20, unit: 工作日}\npromised_limit: {value: 10, unit: 工作日}\n"
        "conditions:\n  - 申请人具备相应条件\n"
        "materials:\n  - name: 申请书\n    necessity: 必要\n    form: 纸质和电子\n    copies: 1\n"
        "    source: 申请人自备\n"
        "process:\n  - name: 受理\n  - name: 审查\n  - name: 决定\n"
        'charged: false\nservice_objects: ["1", "2"]\nhandling_type: "2"\n'
        'handling_forms: ["1", "2"]\nvisits: 0\nonline: true\nonline_depth: "4"\n'
        "online_url: https://zwfw.example.gov.cn/\nscope: 全县\nplace: 政务服务中心\n"
        "hours: 工作日 9:00-17:00\nconsultation: {phone: 0571-12345678}\n"
        'complaint: {phone: "12345"}\nresult: {type: 证照, name: 许可证}\n'
    )


def generate(n: int, out: Path, seed: int = 7) -> dict[str, int]:
    """Write a catalog of ``n`` items under ``out`` (replacing it); return counts per kind."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "items" / "basic").mkdir(parents=True)
    n_basic, n_local = n // 4, n * 35 // 100
    n_impl = n - n_basic - n_local
    names = _names(rng, n_basic + n_local)
    regions = _regions()
    basics: list[tuple[str, str, list[int]]] = []
    for i in range(n_basic):
        type_ = "20" if i % 11 == 0 else rng.choice(TYPES[:-1])
        code = f"00{type_}{rng.choice(DEPTS)}{i // 1000 % 1000:03d}{i % 1000:03d}"
        levels = [3, 4]
        basics.append((code, type_, levels))
        (out / "items" / "basic" / f"{code}.yaml").write_text(
            _basic(code, names[i], type_, code[4:6], levels), encoding="utf-8"
        )
    bodies: dict[str, tuple[str, str]] = {}
    written_dirs: set[str] = set()
    for i in range(n_impl + n_local):
        region, level = regions[i % len(regions)]
        if region not in bodies:
            org = make_org_code(f"{rng.randrange(10**8):08d}")
            bodies[region] = (
                f"第{len(bodies)}号县级卫生健康局",
                make_credit_code(f"11{region}{org}"),
            )
        body, credit = bodies[region]
        d = out / "items" / "implementation" / region
        if region not in written_dirs:
            d.mkdir(parents=True, exist_ok=True)
            written_dirs.add(region)
        if i < n_impl:
            basic_code, type_, _ = basics[i % len(basics)]
            code = implementation_code(credit, level, basic_code)
            text = _implementation(code, basic_code, region, level, body, credit, None, None, type_)
            fname = f"{code}.yaml"
            if (d / fname).exists():  # same basic item, same body: give it another body
                credit2 = make_credit_code(f"12{region}{make_org_code(f'{i:08d}')}")
                code = implementation_code(credit2, level, basic_code)
                text = _implementation(
                    code, basic_code, region, level, body + "分中心", credit2, None, None, type_
                )
                fname = f"{code}.yaml"
        else:
            name = names[n_basic + i - n_impl] + rng.choice(TAGS)
            local = f"L{region}{i:08d}"
            text = _implementation(None, None, region, level, body, credit, name, local, "01")
            fname = f"{local}.yaml"
        (d / fname).write_text(text, encoding="utf-8")
    (out / "catalog.toml").write_text("# synthetic benchmark catalog\n", encoding="utf-8")
    return {"basic": n_basic, "implementation": n_impl, "local": n_local}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int, help="number of items")
    parser.add_argument("out", type=Path, help="catalog folder to (re)create")
    args = parser.parse_args()
    counts = generate(args.n, args.out)
    print(f"wrote {sum(counts.values())} items to {args.out}: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
