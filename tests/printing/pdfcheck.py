"""Reading a PDF back as a person (and a scanner) would: its text, page sizes, fonts and QR codes."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

FULL_ID = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9])|(?<![0-9])\d{15}(?![0-9])")
FULL_MOBILE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")
MM = 72 / 25.4


def _pdf_file(pdf: bytes, folder: Path) -> Path:
    path = folder / "doc.pdf"
    path.write_bytes(pdf)
    return path


def text_of(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = _pdf_file(pdf, Path(tmp))
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout


def squeezed(pdf: bytes) -> str:
    """The text with all white space removed (pdftotext spaces out wide CJK lines)."""
    return re.sub(r"\s+", "", text_of(pdf))


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = _pdf_file(pdf, Path(tmp))
        out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, text=True,
                             check=True).stdout
    return [(float(w) / MM, float(h) / MM)
            for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out)]


def fonts_of(pdf: bytes) -> list[dict[str, str]]:
    """pdffonts' table: one dict per font with its name, type, emb and sub columns."""
    with tempfile.TemporaryDirectory() as tmp:
        path = _pdf_file(pdf, Path(tmp))
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type [type2] encoding emb sub uni object gen: read from the right, it has no spaces there
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4]})
    return rows


def qr_codes(pdf: bytes, dpi: int = 200) -> list[str]:
    """Every QR code on the pages, decoded from a rendering as a phone's camera would see it."""
    import zxingcpp
    from PIL import Image

    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = _pdf_file(pdf, Path(tmp))
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(path), str(Path(tmp) / "page")], check=True)
        for png in sorted(Path(tmp).glob("page*.png")):
            with Image.open(png) as image:
                found += [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    return found


def assert_no_full_numbers(pdf: bytes, *numbers: str) -> None:
    """No full ID or mobile number anywhere in the text, and none of ``numbers`` either."""
    text = text_of(pdf)
    flat = re.sub(r"\s+", "", text)
    assert not FULL_ID.search(flat), FULL_ID.search(flat)
    assert not FULL_MOBILE.search(flat), FULL_MOBILE.search(flat)
    for n in numbers:
        assert n and n not in flat
