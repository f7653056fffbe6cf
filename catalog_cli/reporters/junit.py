"""``--format junit``: JUnit XML for CI test reports, one test case per item file.

``<testsuites>`` holds one ``<testsuite>`` per directory; each checked file is a ``<testcase>``
with ``classname`` its directory (dotted: ``items.basic``) and ``name`` its file name. A file
with error-level findings fails: one ``<failure>`` (type = first error's code) whose text lists
every error. Warnings and infos never fail a test case (exit codes, not the XML, carry
``--strict``); they are listed in the case's ``<system-out>``. Deterministic byte for byte.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby
from typing import TextIO

from catalog_cli.findings import Finding
from catalog_cli.reporters.base import Report

# Characters XML 1.0 cannot carry at all, even escaped (a garbage file's message may hold some).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def line_of(f: Finding, report: Report) -> str:
    at = f"{f.path}:{f.line}" if f.line is not None else f.path
    if f.line is not None and f.column:
        at += f":{f.column}"
    text = f"{at}: {f.severity.value} {f.code} {f.message} [{f.rule}]"
    if f.hint:
        text += "\n    " + report.tr("建议：", "hint: ") + f.hint
    return text


def split(path: str) -> tuple[str, str]:
    directory, _, name = path.rpartition("/")
    return directory, name


class JunitReporter:
    name = "junit"
    machine = True
    description = "JUnit XML, one test case per item file"

    def render(self, report: Report, out: TextIO) -> None:
        root = self.tree(report)
        ET.indent(root, space="  ")
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(ET.tostring(root, encoding="unicode"))
        out.write("\n")

    def tree(self, report: Report) -> ET.Element:
        # a test case per checked file; under --since per changed file (and per file with a
        # finding): the others' findings were left out, so they must not show as passing
        listed = report.documents if report.since is None else sorted(report.since.changed)
        by_path: dict[str, list[Finding]] = {p: [] for p in listed}
        for f in report.findings:
            by_path.setdefault(f.path, []).append(f)
        paths = sorted(by_path, key=split)
        root = ET.Element("testsuites", name=f"{report.tool} {report.command}")
        total = failed = 0
        for directory, group in groupby(paths, key=lambda p: split(p)[0]):
            suite = ET.SubElement(root, "testsuite", name=xml_text(directory or "."))
            cases = fails = 0
            for path in group:
                cases += 1
                fails += self._case(suite, path, by_path[path], report)
            suite.set("tests", str(cases))
            suite.set("failures", str(fails))
            suite.set("errors", "0")
            suite.set("skipped", "0")
            total += cases
            failed += fails
        root.set("tests", str(total))
        root.set("failures", str(failed))
        root.set("errors", "0")
        return root

    @staticmethod
    def _case(suite: ET.Element, path: str, findings: list[Finding], report: Report) -> int:
        directory, name = split(path)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=xml_text(directory.replace("/", ".") or "."),
            name=xml_text(name),
            file=xml_text(path),
        )
        errors = [f for f in findings if f.severity.value == "error"]
        others = [f for f in findings if f.severity.value != "error"]
        if errors:
            first = errors[0]
            message = (
                first.message
                if len(errors) == 1
                else report.tr(
                    f"{len(errors)} 个错误；第一个：{first.message}",
                    f"{len(errors)} errors; first: {first.message}",
                )
            )
            failure = ET.SubElement(
                case, "failure", message=xml_text(message), type=xml_text(first.code)
            )
            failure.text = xml_text("\n".join(line_of(f, report) for f in errors))
        if others:
            out = ET.SubElement(case, "system-out")
            out.text = xml_text("\n".join(line_of(f, report) for f in others))
        return 1 if errors else 0
