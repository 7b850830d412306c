"""The HTML report renders in headless Chromium: a screenshot with the charts' colours and real variety.

The browser comes from npm (`@sparticuz/chromium`, driven by `puppeteer-core`; both in package.json,
installed by `make venv`), so `make test` needs nothing the README does not list.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import boto3
from glueguard.compliance.html import render_html
from glueguard.compliance.run import run_compliance
from glueguard.handlers import compliance
from PIL import Image

from tests.support.fleet import seed_jobs

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "tests" / "support" / "screenshot.mjs"
AFTER_GREEN = (0x2D, 0xA4, 0x4E)  # html._AFTER: the "after the sweep" bars
BAR_BLUE = (0x09, 0x69, 0xDA)  # html._BAR: remediations by rule


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 1400) -> Image.Image:
    node = shutil.which("node")
    assert node, "node is not on PATH: make venv installs the browser with npm, which needs node"
    command = [node, str(SCREENSHOT), str(page), str(png), str(width), str(height)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False, cwd=ROOT)
    assert png.exists(), f"chromium wrote no screenshot (exit {done.returncode}): {done.stderr[-2000:]}"
    return Image.open(png).convert("RGB")


def _near(pixel: tuple[int, int, int], color: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=True))


def test_the_html_report_renders_with_its_charts(project, tmp_path):
    compliance.reset()
    seed_jobs(project, 40)
    glue = boto3.client("glue")
    glue.start_job_run(JobName=project.names.resource("job", "batch-0001"))
    outcome = run_compliance(
        compliance.compliance_enforcer(), run_id="shot", region="us-east-1", account="123456789012",
        collect_costs=True, emit_metrics=False,
    )  # fmt: skip
    page = tmp_path / "report.html"
    page.write_text(render_html(outcome.report), encoding="utf-8")

    image = screenshot(page, tmp_path / "report.png")

    assert image.size == (1280, 1400)
    pixels = list(image.getdata())
    colors = image.getcolors(maxcolors=1 << 20) or []
    non_background = sum(1 for p in pixels if not _near(p, (0xF6, 0xF8, 0xFA), 4))
    assert len(colors) > 100, f"only {len(colors)} colours: the page looks blank"
    assert non_background > 0.05 * len(pixels)
    assert sum(_near(p, AFTER_GREEN) for p in pixels) > 200, "the compliance chart's bars are missing"
    assert sum(_near(p, BAR_BLUE) for p in pixels) > 200, "the remediations chart's bars are missing"
