"""Build the bundled sample catalog in ``items/`` from ``tests/data/liaoning-basic-catalog.json``.

Basic items are the 30 real Liaoning records, mapped field by field. Implementation items are
illustrative: real regions and plausible bodies, but invented credit codes, limits, phones and
places (see ``items/README.md``). Output is deterministic; YAML is written as text so the files
look hand-written, and every file is read back with the project's own loader to prove it says
exactly what was meant.

Usage: ``python tools/build_sample_catalog.py`` (write) or ``... --check`` (exit 1 if any file
would change).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from a checkout

from catalog_cli.codes import implementation_code, make_credit_code, make_org_code  # noqa: E402
from catalog_cli.loader import Document, load_text  # noqa: E402
from catalog_cli.writer import modeline  # noqa: E402

SOURCE = ROOT / "tests" / "data" / "liaoning-basic-catalog.json"
ITEMS = ROOT / "items"
EFFECTIVE_DATE = dt.date(2023, 1, 1)  # illustrative: the source has no dates

# Keys written in flow style ({...} / [...]), and element paths whose values are codes (always
# quoted, so a code never turns into a number).
FLOW = frozenset(
    {
        "levels",
        "service_objects",
        "handling_forms",
        "statutory_limit",
        "promised_limit",
        "consultation",
        "complaint",
        "result",
    }
)
CODES = frozenset(
    {
        "basic_code",
        "type",
        "department",
        "implementation_code",
        "region",
        "body.credit_code",
        "body.nature",
        "power_source",
        "service_objects",
        "handling_type",
        "handling_forms",
        "online_depth",
        "version",
        "consultation.phone",  # phone numbers are codes: quoted, as the importer writes them
        "complaint.phone",
    }
)
_INDICATORS = "-?:,[]{}#&*!|>'\"%@`"

# --- legal basis ---------------------------------------------------------------------------

# A document title, then an optional parenthesised order/number part such as （国务院令第442号）.
_LAW = re.compile(r"(《[^》]*》(?:（[^）]*[令号][^）]*）)?)(.*)\Z", re.S)


def split_legal_basis(text: str) -> list[dict[str, str]]:
    """Split 设定依据 text into ``{law, provision}`` entries.

    Documents are separated by ；/; . A provision is the text after the title that starts with
    第 or 附件; anything else after the title (a bare document number) stays part of ``law``.
    """
    out: list[dict[str, str]] = []
    for raw in re.split(r"[；;]", text):
        part = raw.strip()
        if not part:
            continue
        m = _LAW.match(part)
        rest = m.group(2).strip() if m and m.group(1) else ""
        if m and m.group(1) and rest.startswith(("第", "附件")):
            out.append({"law": m.group(1), "provision": rest})
        else:
            out.append({"law": part})
    return out


def basic_item(record: Mapping[str, str]) -> dict[str, Any]:
    """One source record as a basic item (field order as in items/basic/000123018000.yaml)."""
    return {
        "schema_version": 1,
        "kind": "basic",
        "name": record["事项名称"],
        "basic_code": record["基本编码"],
        "type": record["事项类型"],
        "legal_basis": split_legal_basis(record["设定依据"]),
        "levels": [int(x) for x in record["行使层级"].split(",") if x.strip()],
        "department": record["授权部门"],
        "status": "在用",
        "version": "1",
        "effective_date": EFFECTIVE_DATE,
    }


# --- implementation items (illustrative) ---------------------------------------------------

REGIONS: dict[str, tuple[int, str, str]] = {
    # region: (level, scope, place of the government service centre)
    "210000": (2, "全省", "辽宁省政务服务中心"),
    "210100": (3, "全市", "沈阳市政务服务中心"),
    "210102": (4, "全市", "沈阳市和平区政务服务中心"),
}
PORTAL = "https://www.lnzwfw.gov.cn/"
ETAX = "https://etax.liaoning.chinatax.gov.cn/"
HOURS = "周一至周五 9:00-17:00（法定节假日除外）"


@dataclass(frozen=True, slots=True)
class Body:
    """An implementing body; ``org8`` is the invented first 8 characters of its GB 11714 code."""

    name: str
    region: str
    org8: str
    phone: str
    prefix: str = "11"  # 登记管理部门 1 (机构编制) + 机构类别 1 机关 / 2 事业单位
    nature: str = "1"  # 1 法定机关, 2 授权组织

    @property
    def credit_code(self) -> str:
        # Registration region = the body's own region, so both checksums hold by construction.
        return make_credit_code(self.prefix + self.region + make_org_code(self.org8))


@dataclass(frozen=True, slots=True)
class Material:
    name: str
    source: str = "申请人自备"
    necessity: str = "必要"
    form: str = "纸质和电子"
    copies: int = 1


@dataclass(frozen=True, slots=True)
class Impl:
    """The local elements of one implementation item; derived elements are computed."""

    basic_code: str
    body: Body
    statutory: tuple[int, str]
    promised: tuple[int, str]  # value 0 makes it a 即办件
    conditions: tuple[str, ...]
    process: tuple[str, ...]  # "环节" or "环节：说明"
    result: tuple[str, str]  # (type, name)
    service_objects: tuple[str, ...]
    materials: tuple[Material, ...] = ()
    online_depth: str = "4"  # "" = not handled online
    online_url: str = PORTAL
    visits: int = 0
    visit_reason: str = ""
    express: bool = False  # also accepts applications by post (办理形式 3)
    fee_basis: str = ""
    fees: tuple[tuple[str, str], ...] = ()
    place: str = ""  # default: the region's service centre
    scope: str = ""  # default: the region's scope
    carry_name: bool = False  # repeat the (locked) name to show it is allowed when equal


def implementation_item(impl: Impl, basic: Mapping[str, Any]) -> dict[str, Any]:
    """The element mapping of one implementation item, in the order of the hand-written sample."""
    level, scope, centre = REGIONS[impl.body.region]
    if level not in basic["levels"]:
        raise ValueError(f"{impl.basic_code} is not exercised at level {level}")
    credit = impl.body.credit_code
    forms = ["1"] + (["2"] if impl.online_depth else []) + (["3"] if impl.express else [])
    item: dict[str, Any] = {"schema_version": 1, "kind": "implementation"}
    if impl.carry_name:
        item["name"] = basic["name"]
    item |= {
        "basic_code": impl.basic_code,
        "implementation_code": implementation_code(credit, level, impl.basic_code),
        "level": level,
        "region": impl.body.region,
        "body": {"name": impl.body.name, "credit_code": credit, "nature": impl.body.nature},
        "power_source": "1",
        "statutory_limit": {"value": impl.statutory[0], "unit": impl.statutory[1]},
        "promised_limit": {"value": impl.promised[0], "unit": impl.promised[1]},
        "conditions": list(impl.conditions),
    }
    if impl.materials:
        item["materials"] = [
            {
                "name": m.name,
                "necessity": m.necessity,
                "form": m.form,
                "copies": m.copies,
                "source": m.source,
            }
            for m in impl.materials
        ]
    item["process"] = [_step(s) for s in impl.process]
    item["charged"] = bool(impl.fees)
    if impl.fees:
        item["fee_basis"] = impl.fee_basis
        item["fees"] = [{"name": n, "standard": s} for n, s in impl.fees]
    item |= {
        "service_objects": list(impl.service_objects),
        "handling_type": "1" if impl.promised[0] == 0 else "2",
        "handling_forms": forms,
        "visits": impl.visits,
    }
    if impl.visit_reason:
        item["visit_reason"] = impl.visit_reason
    item["online"] = bool(impl.online_depth)
    if impl.online_depth:
        item["online_depth"] = impl.online_depth
        item["online_url"] = impl.online_url
    item |= {
        "scope": impl.scope or scope,
        "place": impl.place or centre,
        "hours": HOURS,
        "consultation": {"phone": impl.body.phone},
        "complaint": {"phone": "12345"},
        "result": {"type": impl.result[0], "name": impl.result[1]},
    }
    return item


def _step(text: str) -> dict[str, str]:
    name, _, description = text.partition("：")
    return {"name": name, "description": description} if description else {"name": name}


def _bodies() -> dict[str, Body]:
    rows = [
        # province
        ("辽宁省市场监督管理局", "210000", "00124520", "024-23181101"),
        ("辽宁省国家保密局", "210000", "00124367", "024-23128305"),
        ("辽宁省文化和旅游厅", "210000", "00124391", "024-86890422"),
        ("辽宁省知识产权局", "210000", "00124715", "024-23181536"),
        ("辽宁省生态环境厅", "210000", "00124430", "024-62788100"),
        ("辽宁省林业和草原局", "210000", "00124286", "024-86892315"),
        ("辽宁省自然资源厅", "210000", "00124448", "024-81680260"),
        # city
        ("沈阳市卫生健康委员会", "210100", "00410752", "024-22720511"),
        ("沈阳市文化旅游和广播电视局", "210100", "00410883", "024-22733180"),
        ("沈阳市城乡建设局", "210100", "00410637", "024-22720935"),
        ("沈阳市公安局", "210100", "00410512", "024-22849110"),
        ("沈阳市交通运输局", "210100", "00410669", "024-23231605"),
        ("沈阳市市场监督管理局", "210100", "00410915", "024-24868315"),
        # county (和平区); the first is the body of the hand-written sample
        ("沈阳市和平区卫生健康局", "210102", "00106785", "024-22851234"),
        ("沈阳市和平区退役军人事务局", "210102", "00106827", "024-23405617"),
        ("国家税务总局沈阳市和平区税务局", "210102", "00106941", "12366"),
        ("沈阳市和平区消防救援大队", "210102", "00106859", "024-23281119"),
    ]
    out = {name: Body(name, region, org8, phone) for name, region, org8, phone in rows}
    # A 事业单位 (prefix 12) authorised by law: an 授权组织 rather than an organ of government.
    out["辽宁省福利彩票发行中心"] = Body(
        "辽宁省福利彩票发行中心", "210000", "41002671", "024-86228617", prefix="12", nature="2"
    )
    return out


B = _bodies()
WORKDAYS = "工作日"
DAYS = "自然日"
LICENCE = "证照"
OTHER = "其他"
ISSUED = "政府部门核发"
APPLICATION_FORM = Material("申请书")
BUSINESS_LICENCE = Material("营业执照", source=ISSUED, necessity="必要", form="电子")
ID_CARD = Material("居民身份证", source=ISSUED, form="电子")
LICENSING = ("受理", "审查", "决定", "送达")
CASE_STEPS = (
    "立案",
    "调查取证",
    "告知：告知当事人拟作出决定的事实、理由、依据及其陈述、申辩权利",
    "决定",
    "送达",
)

IMPLEMENTATIONS: tuple[Impl, ...] = (
    # --- 辽宁省 (level 2) ---
    Impl(
        "000131035000",
        B["辽宁省市场监督管理局"],
        (20, WORKDAYS),
        (15, WORKDAYS),
        (
            "有与充装和管理相适应的管理人员和技术人员",
            "有与充装和管理相适应的充装设备、检测手段、场地厂房、器具、安全设施",
            "有健全的充装管理制度、责任制度、处理措施",
        ),
        ("申请", "受理", "鉴定评审：由鉴定评审机构对充装条件进行现场评审", "审查", "决定", "发证"),
        (LICENCE, "特种设备生产许可证"),
        ("2", "5"),
        (
            Material("特种设备生产许可申请书"),
            BUSINESS_LICENCE,
            Material("充装质量保证体系文件"),
            Material("鉴定评审报告", source="其他", form="电子"),
        ),
    ),
    Impl(
        "000176002000",
        B["辽宁省国家保密局"],
        (20, WORKDAYS),
        (15, WORKDAYS),
        (
            "在中华人民共和国境内依法成立三年以上的法人",
            "无违法犯罪记录",
            "从事涉密业务的人员具有中华人民共和国国籍",
            "保密制度完善，有专门的机构或者人员负责保密工作",
        ),
        ("受理", "书面审查", "现场审查：对保密管理和技术条件进行实地核查", "决定", "发证"),
        (LICENCE, "涉密信息系统集成资质证书"),
        ("2",),
        (
            Material("涉密信息系统集成资质申请书", form="纸质"),
            Material("营业执照", source=ISSUED, form="纸质"),
            Material("保密管理制度汇编", form="纸质"),
            Material("涉密人员名单及保密承诺书", form="纸质"),
        ),
        online_depth="",
        visits=2,
        visit_reason="涉密资质申请材料须以纸质形式报送，不得通过互联网传输",
    ),
    Impl(
        "210122039000",
        B["辽宁省文化和旅游厅"],
        (20, WORKDAYS),
        (10, WORKDAYS),
        (
            "单位名称、住所、组织机构和章程符合规定",
            "有确定的互联网文化活动范围",
            "有适应互联网文化活动需要的专业人员、设备、工作场所以及相应的经营管理技术措施",
        ),
        LICENSING,
        (LICENCE, "网络文化经营许可证"),
        ("2",),
        (
            Material("经营性互联网文化单位设立申请表"),
            BUSINESS_LICENCE,
            Material("业务发展报告"),
            Material("网站域名注册证明", necessity="非必要", form="电子"),
        ),
    ),
    Impl(
        "210973001000",
        B["辽宁省知识产权局"],
        (90, DAYS),
        (60, DAYS),
        (
            "请求人是专利权人或者利害关系人",
            "有明确的被请求人",
            "有明确的请求事项和具体事实、理由",
            "当事人没有就该专利侵权纠纷向人民法院起诉",
        ),
        ("立案", "送达答辩", "调查取证", "口头审理", "作出处理决定", "送达"),
        (OTHER, "专利侵权纠纷处理决定书"),
        ("1", "2", "3", "4", "5"),
        (
            Material("专利侵权纠纷处理请求书"),
            Material("专利权有效的证明", source=ISSUED),
            Material("请求人主体资格证明"),
            Material("侵权证据材料", form="纸质"),
        ),
        online_depth="2",
        visits=1,
        visit_reason="口头审理须当事人到场质证",
    ),
    Impl(
        "000616001000",
        B["辽宁省生态环境厅"],
        (30, DAYS),
        (30, DAYS),
        ("依据年度执法计划、举报或者监测数据异常线索确定检查对象",),
        (
            "制定检查方案",
            "实施现场检查：出示执法证件，查看设施运行和排污情况",
            "制作现场检查笔录",
            "处理",
        ),
        (OTHER, "现场检查笔录"),
        ("2", "3", "5"),
        online_depth="",
        place="被检查单位生产经营场所",
    ),
    Impl(
        "212011084000",
        B["辽宁省福利彩票发行中心"],
        (10, WORKDAYS),
        (5, WORKDAYS),
        ("已与福利彩票发行机构签订代销合同", "已结清全部销售款项"),
        ("申请", "审核", "回收设备：收回销售终端和代销证", "解除合同"),
        (OTHER, "福利彩票代销合同解除确认书"),
        ("1", "2"),
        (
            Material("福利彩票销售网点解约申请书"),
            Material("福利彩票代销合同", form="纸质"),
            Material("福利彩票代销证", source=ISSUED, form="纸质"),
            ID_CARD,
        ),
        online_depth="3",
        visits=1,
        visit_reason="须现场交回销售终端设备和代销证",
    ),
    Impl(
        "219964005000",
        B["辽宁省林业和草原局"],
        (60, WORKDAYS),
        (45, WORKDAYS),
        ("在林业科学研究、成果转移转化、林业标准化、科学普及等林业科技工作中做出突出贡献",),
        ("组织推荐", "资格审核", "评审", "公示", "表彰"),
        (OTHER, "表彰决定"),
        ("1", "2", "3", "4"),
        (
            Material("林业科技工作先进单位和个人推荐表"),
            Material("先进事迹材料"),
            Material("成果证明材料", necessity="非必要"),
        ),
        online_depth="2",
        visits=1,
        visit_reason="纸质推荐表须加盖推荐单位公章后报送",
    ),
    Impl(
        "210415012000",
        B["辽宁省自然资源厅"],
        (30, WORKDAYS),
        (20, WORKDAYS),
        ("已依法取得采矿权并签订矿业权出让合同",),
        ("受理", "核定缴纳金额", "开具缴款通知", "缴款确认"),
        (OTHER, "矿业权出让收益缴款通知书"),
        ("2", "5"),
        (
            Material("矿业权出让合同", source=ISSUED),
            Material("矿业权出让收益缴纳申请"),
            BUSINESS_LICENCE,
        ),
        online_depth="3",
        fee_basis="《矿业权出让收益征收管理暂行办法》（财综〔2017〕35号）",
        fees=(("矿业权出让收益", "按出让合同约定或评估确定的金额缴纳"),),
    ),
    # --- 沈阳市 (level 3) ---
    Impl(
        "000123018000",
        B["沈阳市卫生健康委员会"],
        (20, WORKDAYS),
        (8, WORKDAYS),
        ("供水单位已取得营业执照", "有符合卫生要求的水源、制水设施和水质检验条件"),
        ("受理", "审查", "现场审查：核查制水工艺和卫生防护", "决定"),
        (LICENCE, "卫生许可证"),
        ("2", "3"),
        (
            Material("卫生许可申请书"),
            Material("水质检测报告"),
            Material("供水设施卫生安全说明"),
        ),
        carry_name=True,
    ),
    Impl(
        "000122014000",
        B["沈阳市文化旅游和广播电视局"],
        (20, WORKDAYS),
        (10, WORKDAYS),
        ("已依法设立中外合资经营或者中外合作经营企业", "有与其经营活动相适应的设备、设施"),
        LICENSING,
        (LICENCE, "娱乐经营许可证"),
        ("2",),
        (
            Material("娱乐场所经营活动申请书"),
            BUSINESS_LICENCE,
            Material("中外合资或者中外合作经营合同"),
            Material("法定代表人和主要负责人身份证明"),
            Material("娱乐场所平面示意图"),
        ),
        carry_name=True,
    ),
    Impl(
        "000139003000",
        B["沈阳市文化旅游和广播电视局"],
        (20, WORKDAYS),
        (15, WORKDAYS),
        (
            "有出版物复制单位的名称、章程",
            "有必要的资金、设备和复制场所",
            "有适应业务范围需要的组织机构和人员",
        ),
        LICENSING,
        (LICENCE, "复制经营许可证"),
        ("2",),
        (Material("设立或者变更申请书"), BUSINESS_LICENCE, Material("复制场所使用证明")),
        online_depth="3",
        visits=1,
        visit_reason="领取许可证时须持申请材料原件到窗口核验",
        express=True,
    ),
    Impl(
        "211017152000",
        B["沈阳市城乡建设局"],
        (5, WORKDAYS),
        (0, WORKDAYS),
        ("已依法签订建设工程施工合同",),
        ("受理", "登记"),
        (OTHER, "建设工程施工合同登记表"),
        ("2", "3"),
        (
            Material("建设工程施工合同"),
            Material("中标通知书", source=ISSUED, necessity="非必要"),
            BUSINESS_LICENCE,
        ),
    ),
    Impl(
        "210609002000",
        B["沈阳市公安局"],
        (30, DAYS),
        (30, DAYS),
        ("依据监督检查计划或者举报线索确定检查对象",),
        ("制定检查计划", "实施检查", "制作检查记录", "处理"),
        (OTHER, "保安服务监督检查记录"),
        ("2",),
        online_depth="",
        place="被检查保安服务公司经营场所",
    ),
    Impl(
        "211018079000",
        B["沈阳市交通运输局"],
        (5, WORKDAYS),
        (0, WORKDAYS),
        ("港口经营人已制定或者修订生产安全事故应急预案",),
        ("受理", "备案"),
        (OTHER, "应急预案备案回执"),
        ("2",),
        (
            Material("应急预案备案申请表"),
            Material("应急预案文本"),
            Material("应急预案评审意见", necessity="非必要"),
        ),
    ),
    Impl(
        "210973001000",
        B["沈阳市市场监督管理局"],
        (90, DAYS),
        (45, DAYS),
        (
            "请求人是专利权人或者利害关系人",
            "有明确的被请求人",
            "有明确的请求事项和具体事实、理由",
            "当事人没有就该专利侵权纠纷向人民法院起诉",
        ),
        ("立案", "送达答辩", "调查取证", "口头审理", "作出处理决定", "送达"),
        (OTHER, "专利侵权纠纷处理决定书"),
        ("1", "2", "3", "4", "5"),
        (
            Material("专利侵权纠纷处理请求书"),
            Material("专利权有效的证明", source=ISSUED),
            Material("侵权证据材料", form="纸质"),
        ),
        online_depth="2",
        visits=1,
        visit_reason="口头审理须当事人到场质证",
    ),
    # --- 沈阳市和平区 (level 4) ---
    Impl(  # the hand-written sample, reproduced exactly
        "000123018000",
        B["沈阳市和平区卫生健康局"],
        (20, WORKDAYS),
        (10, WORKDAYS),
        ("供水单位已取得营业执照",),
        ("受理", "审查", "决定"),
        (LICENCE, "卫生许可证"),
        ("2", "3"),
        (Material("卫生许可申请书"),),
    ),
    Impl(
        "000524018000",
        B["沈阳市和平区退役军人事务局"],
        (20, WORKDAYS),
        (10, WORKDAYS),
        ("属于优抚对象且户籍在本区", "已发生符合规定的医疗费用"),
        ("申请", "受理", "审核", "发放"),
        (OTHER, "优抚对象医疗补助"),
        ("1",),
        (
            Material("优抚对象医疗补助申请表"),
            ID_CARD,
            Material("优待证", source=ISSUED, form="纸质"),
            Material("医疗费用票据", form="纸质"),
        ),
        online_depth="3",
        visits=1,
        visit_reason="须本人持优待证原件到窗口核验身份",
        scope="全县",
    ),
    Impl(
        "000524021000",
        B["沈阳市和平区退役军人事务局"],
        (30, WORKDAYS),
        (20, WORKDAYS),
        ("义务兵入伍前户籍在本区",),
        ("申请", "审核", "公示", "发放"),
        (OTHER, "义务兵家庭优待金"),
        ("1",),
        (
            Material("入伍通知书", source=ISSUED),
            Material("居民户口簿", source=ISSUED, form="纸质"),
            Material("银行账户信息"),
        ),
        scope="全县",
    ),
    Impl(
        "001030051000",
        B["国家税务总局沈阳市和平区税务局"],
        (0, WORKDAYS),
        (0, WORKDAYS),
        ("扣缴义务人依法终止扣缴义务",),
        ("受理", "办结"),
        (OTHER, "税务事项通知书"),
        ("1", "2", "5", "9"),
        (Material("注销扣缴税款登记申请表"),),
        online_url=ETAX,
        place="国家税务总局沈阳市和平区税务局办税服务厅",
    ),
    Impl(
        "210430088000",
        B["国家税务总局沈阳市和平区税务局"],
        (30, WORKDAYS),
        (10, WORKDAYS),
        ("已缴纳车辆购置税的车辆退回生产企业或者销售企业",),
        ("受理", "审核", "退库"),
        (OTHER, "车辆购置税退税"),
        ("1", "2"),
        (
            Material("车辆购置税退税申请表"),
            Material("退车证明和退车发票", form="纸质"),
            ID_CARD,
        ),
        online_url=ETAX,
        place="国家税务总局沈阳市和平区税务局办税服务厅",
    ),
    Impl(
        "210430049000",
        B["国家税务总局沈阳市和平区税务局"],
        (0, WORKDAYS),
        (0, WORKDAYS),
        ("取得经营所得的个体工商户业主、个人独资企业投资者、合伙企业个人合伙人",),
        ("申报", "受理"),
        (OTHER, "申报回执"),
        ("1",),
        (Material("个人所得税经营所得纳税申报表"),),
        online_url=ETAX,
        place="国家税务总局沈阳市和平区税务局办税服务厅",
    ),
    Impl(
        "210225046000",
        B["沈阳市和平区消防救援大队"],
        (90, DAYS),
        (60, DAYS),
        ("经消防监督检查发现违法行为，责令限期改正后逾期未改正",),
        CASE_STEPS,
        (OTHER, "行政处罚决定书"),
        ("1", "2", "3", "4", "5"),
        online_depth="",
        place="沈阳市和平区消防救援大队",
    ),
)

# --- YAML text ---------------------------------------------------------------------------


def scalar(value: object, *, quote: bool = False, flow: bool = False) -> str:
    """One scalar as YAML text: plain when it reads back as the same string, else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    plain = (
        not quote
        and text == text.strip()
        and text != ""
        and text[0] not in _INDICATORS
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and "\n" not in text
        and not (flow and any(c in text for c in ",[]{}"))
        and _reads_as_itself(text)
    )
    # JSON string syntax is valid YAML double-quoted syntax.
    return text if plain else json.dumps(text, ensure_ascii=False)


def _reads_as_itself(text: str) -> bool:
    """True when a YAML reader takes ``text`` unquoted as this same string (not 1, true, a date)."""
    try:
        return bool(yaml.safe_load(text) == text)
    except yaml.YAMLError:
        return False


def _flow(path: str, value: object) -> str:
    quote = path in CODES
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k}: {_flow(f'{path}.{k}', v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v, quote=quote, flow=True) for v in value) + "]"
    return scalar(value, quote=quote, flow=True)


def _block(mapping: Mapping[str, Any], indent: str = "", prefix: str = "") -> Iterable[str]:
    for key, value in mapping.items():
        path = prefix + key
        if key in FLOW:
            yield f"{indent}{key}: {_flow(path, value)}"
        elif isinstance(value, Mapping):
            yield f"{indent}{key}:"
            yield from _block(value, indent + "  ", path + ".")
        elif isinstance(value, list):
            yield f"{indent}{key}:"
            for element in value:
                if isinstance(element, Mapping):
                    lines = list(_block(element, indent + "    ", path + "[]."))
                    yield indent + "  - " + lines[0].lstrip()
                    yield from lines[1:]
                else:
                    yield f"{indent}  - {scalar(element, quote=path in CODES)}"
        else:
            line = f"{indent}{key}: {scalar(value, quote=path in CODES)}"
            if isinstance(value, dt.date):
                line += "  # 示意日期（来源数据无日期）"
            yield line


def render(path: Path, header: Sequence[str], item: Mapping[str, Any]) -> str:
    """The file as `catalog fmt` would write it: schema line, header comments, elements."""
    return (
        modeline(path.relative_to(ROOT).as_posix())
        + "".join(f"# {c}\n" for c in header)
        + "".join(f"{ln}\n" for ln in _block(item))
    )


def _plain(value: Any) -> Any:
    """What the project's loader should read back: dates stay text."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def checked(path: Path, text: str, item: Mapping[str, Any]) -> str:
    """Read ``text`` back with the project's loader; fail loudly if it differs from ``item``."""
    doc = Document(path=path, relpath=str(path))
    load_text(doc, text)
    if doc.problems or doc.data != _plain(item):
        raise SystemExit(f"{path}: generated YAML does not read back as intended: {doc.problems}")
    return text


BASIC_HEADER = (
    "基本目录事项：辽宁省政务服务事项目录中的真实记录（tests/data/liaoning-basic-catalog.json）。",
    "由 tools/build_sample_catalog.py 生成；生效日期为示意值。",
)
IMPL_HEADER = (
    "实施清单事项（示意）：区划真实；实施主体信用代码、时限、电话、地点等为虚构的示例值。",
    "由 tools/build_sample_catalog.py 生成。",
)


def build() -> dict[Path, str]:
    """Every sample file: path -> text."""
    records = json.loads(SOURCE.read_text(encoding="utf-8"))
    basics = {r["基本编码"]: basic_item(r) for r in records}
    files: dict[Path, str] = {}
    for code, item in sorted(basics.items()):
        path = ITEMS / "basic" / f"{code}.yaml"
        files[path] = checked(path, render(path, BASIC_HEADER, item), item)
    for impl in IMPLEMENTATIONS:
        item = implementation_item(impl, basics[impl.basic_code])
        path = ITEMS / "implementation" / item["region"] / f"{item['implementation_code']}.yaml"
        if path in files:
            raise SystemExit(f"two sample items would share {path}")
        files[path] = checked(path, render(path, IMPL_HEADER, item), item)
    return files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if any file would change")
    args = parser.parse_args(argv)
    stale = []
    for path, text in build().items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "would change" if args.check else "written"
    for path in stale:
        print(f"{verb}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
