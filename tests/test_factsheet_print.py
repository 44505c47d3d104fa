"""The factsheets' HTML page in a real browser: Debian's chromium, headless, takes a
screenshot and prints it to PDF on A4, one sheet per team and one for the desk.

Set BALIE_TEST_SCREENSHOTS=DIR to keep the screenshot and the PDF.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from balie.cli import main
from balie.db import open_database
from tests import annual_report
from tests.test_browser import CHROMIUM

pytestmark = pytest.mark.slow

A4_POINTS = (595, 842)


def chromium(profile: Path, *arguments: str) -> None:
    """Run headless chromium once; nothing leaves this machine (every host name fails)."""
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-extensions", "--disable-background-networking", "--mute-audio",
         "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
         *arguments],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


def test_the_factsheets_print_on_one_a4_sheet_per_page(tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium not found (Debian: apt-get install chromium); printing the "
                    "factsheets needs a real browser")
    path = tmp_path / "balie.db"
    open_database(path).close()
    source = tmp_path / "historie.csv"
    source.write_text(annual_report.csv_text(), encoding="utf-8")
    assert main(["--db", str(path), "import", str(source)]) == 0
    page = tmp_path / "2023.html"
    assert main(["--db", str(path), "report", "--year", "2023", "--factsheet", "--format",
                 "html", "--output", str(page)]) == 0

    shot, pdf = tmp_path / "2023.png", tmp_path / "2023.pdf"
    chromium(tmp_path / "profile", "--window-size=900,1300", f"--screenshot={shot}",
             page.as_uri())
    chromium(tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
             page.as_uri())
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    # One sheet per page of the factsheets, each A4 (the page's own @page size).
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", data)
    assert len(pages) == 4
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all((round(float(w)), round(float(h))) == A4_POINTS for w, h in boxes)
    if keep := os.environ.get("BALIE_TEST_SCREENSHOTS"):
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "factsheets-2023.png")
        shutil.copy(pdf, Path(keep) / "factsheets-2023.pdf")
