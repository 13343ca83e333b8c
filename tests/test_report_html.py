"""The HTML report, opened in a real headless Chromium: it loads with no console errors and shows every
chart."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from conftest import run_cli

CHARTS = 5


def _chromium():
    found = shutil.which("chromium"), shutil.which("chromedriver")
    if not all(found):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium and chromedriver are missing under CI=true (scripts/test.sh installs them)")
        pytest.skip("chromium and chromedriver are not installed")
    return found


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    session = webdriver.Chrome(service=Service(driver), options=options)
    yield session
    session.quit()


def test_report_loads_without_errors_and_draws_every_chart(endpoint, tables, tmp_path, browser):
    products, orders = tables
    report = tmp_path / "report.html"
    proc = run_cli(
        "run", "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
        "--create-tables", "--seed-products", "50", "--threads", "4", "--duration", "2s",
        "--output", str(tmp_path / "r.json"), "--report", str(report),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    browser.get(report.as_uri())
    drawn = browser.execute_script(
        "return Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".filter(d => d.querySelector('svg.main-svg')).length"
    )
    assert drawn == CHARTS
    titles = browser.execute_script("return Array.from(document.querySelectorAll('.gtitle')).map(t => t.textContent)")
    assert "Throttles and errors per second" in titles and "Latency distribution" in titles
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == [], json.dumps(severe)
    run_id = json.loads((tmp_path / "r.json").read_text())["run_id"]
    assert run_id in browser.title


def test_report_command_refuses_to_overwrite_a_foreign_file(tmp_path, endpoint):
    result = tmp_path / "r.json"
    result.write_text('{"tool": {"name": "ddbload"}, "schema_version": 1}')
    page = tmp_path / "r.html"
    page.write_text("<html>mine</html>")
    proc = run_cli("report", str(result))
    assert proc.returncode == 2 and "refusing to overwrite" in proc.stderr
    assert page.read_text() == "<html>mine</html>"
