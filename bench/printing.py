"""Printing figures: an 80 mm receipt with its QR code against a plain reportlab page of the same text, an
A4 one-time notice, and the font registered once and only when the first document is drawn.

Everything runs from frozen data (no database): what ``app.printing.render`` costs once the service has
built the job. Medians after a warm-up, in this process; the lazy-registration check runs in a fresh one.
"""

from __future__ import annotations

import io
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from app.domain.documents import DocumentKind, Paper
from app.printing import fonts
from app.printing.receipt import receipt_slip
from app.printing.render import render
from app.services.cases import MaterialLine, OneTimeNotice
from app.services.paper import AcceptanceReceipt, Letterhead, MaterialRow, PersonLine, PrintJob, Stamp
from bench.figures import Figure

RECEIPT_LIMIT_MS = 20.0
RATIO_LIMIT = 2.0
NOTICE_LIMIT_MS = 40.0
WARMUP, RUNS = 10, 100

HEAD = Letterhead("青溪村便民服务站", ("青溪镇人民政府", "全镇通办 一窗受理"), "请妥善保管本单据，凭此查询办理进度。",
                  "0571-64812345", "12345")
MATERIALS = (("社会保障卡申领（补换）登记表", "原件"), ("居民身份证", "原件核验后退还"),
             ("近期1寸免冠彩色照片", "原件"), ("原社会保障卡", "原件"), ("授权委托书", "原件"),
             ("代办人居民身份证", "复印件"))
RECEIPT = AcceptanceReceipt(
    "QX01-20261123-0007", "S07", "社会保障卡申领/补换", "人社", "代办",
    PersonLine("张三丰", "330127********0015", "138****5678"),
    PersonLine("李四", "330127********0024", "", "儿子"),
    tuple(MaterialRow(name, True, 1, form, True) for name, form in MATERIALS), "李晓丽", "002",
    "2026-11-23T10:05:00", date(2027, 1, 5), 30, "0571-64812345")
NOTICE = OneTimeNotice(
    case_no="QX01-20261123-0008", station_name=HEAD.station_name, station_phone=HEAD.phone, supervision_phone="12345",
    applicant_name="张三丰", applicant_id_masked="330127********0015", item_code="S27", item_name="残疾人证新办",
    department="残联", legal_basis="《中华人民共和国残疾人保障法》；《中华人民共和国残疾人证管理办法》",
    conditions="符合残疾标准的本地户籍视力、听力、言语、肢体、智力、精神及多重残疾人。",
    procedure="村站受理并核对材料 → 转报镇残联 → 申请人到指定医院评定 → 县残联审核发证 → 证件到站后通知领取",
    time_limit_days=30, time_limit_note="参考时限；残疾评定时间不计入", fee_fen=0, fee_note="不收费",
    consultation_phone="12385",
    materials=tuple(MaterialLine(f"M0{i}", name, i < 5, 1, "original", i == 2) for i, name in enumerate(
        ("残疾人证申请表", "居民身份证", "居民户口簿", "近期2寸免冠彩色照片", "医疗诊断证明或病历"), start=1)),
    missing=tuple(MaterialLine(f"M0{i}", name, True, 1, "original", False) for i, name in enumerate(
        ("残疾人证申请表", "居民户口簿", "近期2寸免冠彩色照片"), start=1)),
    staff_name="李晓丽", staff_no="002", issued_at="2026-11-23T10:05:00")


def _stamp(kind: DocumentKind) -> Stamp:
    return Stamp(kind, f"QX01-{kind.prefix}2026-000001", "2026-11-23T10:05:00", "李晓丽")


def plain_page(lines: list[str], size: tuple[float, float], font: str) -> bytes:
    """The baseline: the receipt's own lines drawn with ``drawString`` on a page of the same size and font."""
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=size, initialFontName=font, pageCompression=1, invariant=True)
    c.setFont(font, 8.5)
    y = size[1] - 20
    for line in lines:
        c.drawString(11, y, line)
        y -= 11.5
    c.showPage()
    c.save()
    return buf.getvalue()


def _median_ms(work: Callable[[], bytes]) -> float:
    for _ in range(WARMUP):
        work()
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter_ns()
        work()
        times.append((time.perf_counter_ns() - t0) / 1e6)
    return statistics.median(times)


_LAZY_CHECK = """
import json, time
import app.printing.documents, app.printing.render
from app.printing import fonts
before = fonts.registrations
from bench.printing import RECEIPT, HEAD, _stamp
from app.domain.documents import DocumentKind, Paper
from app.services.paper import PrintJob
t0 = time.perf_counter()
app.printing.render.render(PrintJob(HEAD, _stamp(DocumentKind.RECEIPT), Paper.THERMAL_80, RECEIPT))
first = (time.perf_counter() - t0) * 1000
print(json.dumps({"before": before, "after": fonts.registrations, "first_ms": first}))
"""


def run() -> tuple[list[Figure], dict[str, Any]]:
    lazy = json.loads(subprocess.run([sys.executable, "-c", _LAZY_CHECK], check=True, capture_output=True,
                                     text=True).stdout.strip().splitlines()[-1])
    job = PrintJob(HEAD, _stamp(DocumentKind.RECEIPT), Paper.THERMAL_80, RECEIPT)
    font = fonts.font_name(HEAD.font)
    slip = receipt_slip(RECEIPT, HEAD, job.stamp, font, Paper.THERMAL_80)
    height = float(_page_height(slip.pdf()))
    lines = slip.lines()
    receipt_ms = _median_ms(lambda: render(job))
    plain_ms = _median_ms(lambda: plain_page(lines, (slip.page_width, height), font))
    notice_job = PrintJob(HEAD, _stamp(DocumentKind.NOTICE), Paper.A4, NOTICE)
    notice_ms = _median_ms(lambda: render(notice_job))
    ratio = receipt_ms / plain_ms
    figures = [
        Figure("printing: 80 mm receipt with QR, median", receipt_ms, "ms", RECEIPT_LIMIT_MS,
               detail=f"{len(lines)} lines, {len(RECEIPT.materials)} materials, QR of the case number"),
        Figure(f"printing: receipt / plain page of the same text ({plain_ms:.2f} ms)", ratio, "×", RATIO_LIMIT),
        Figure("printing: A4 one-time notice, median", notice_ms, "ms", NOTICE_LIMIT_MS),
        Figure("printing: fonts registered before the first document (fresh process)", float(lazy["before"]), "",
               0, op="="),
        Figure("printing: fonts registered after documents (fresh process)", float(lazy["after"]), "", 1, op="="),
        Figure("printing: first receipt in a fresh process (font registration included)", lazy["first_ms"], "ms"),
    ]
    return figures, {"receipt_median_ms": receipt_ms, "plain_median_ms": plain_ms, "ratio": ratio,
                     "notice_median_ms": notice_ms, "lazy": lazy, "runs": RUNS, "warmup": WARMUP,
                     "registrations_in_this_process": fonts.registrations}


def _page_height(pdf: bytes) -> float:
    import re

    found = re.search(rb"/MediaBox \[ ?0 0 ([\d.]+) ([\d.]+)", pdf)
    assert found is not None
    return float(found.group(2))


if __name__ == "__main__":
    from bench.figures import table

    figs, _ = run()
    print(table(figs))
