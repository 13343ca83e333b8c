"""The HTML report, opened in a real headless Chromium: it loads with no console errors and shows every
chart."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest
from conftest import run_cli

# Operations, one per table (two), throttles, latency over time, the distribution, the products' busiest keys.
CHARTS = 7
# What a reader sees in each chart: its title, whether it drew, traces with data, what it says when empty.
CHARTS_JS = """
return Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => ({
  drawn: !!d.querySelector('svg.main-svg'),
  title: d.layout.title.text,
  traces: d.data.filter(t => (t.y || []).some(v => v !== null)).length,
  points: Math.max(0, ...d.data.map(t => (t.x || []).length)),
  said: (d.layout.annotations || []).map(a => a.text),
  xtype: d.layout.xaxis.type,
  ytype: d.layout.yaxis.type,
  names: d.data.map(t => t.name),
  ticks: d.layout.xaxis.ticktext || [],
}))
"""


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


def _open(browser, report) -> list[dict]:
    """The report in the browser, once every chart is drawn (the page unpacks plotly.js, then draws)."""
    browser.get(report.as_uri())
    deadline = time.monotonic() + 20
    while len(charts := browser.execute_script(CHARTS_JS)) < CHARTS and time.monotonic() < deadline:
        time.sleep(0.2)
    return charts


def test_report_loads_without_errors_and_draws_every_chart(endpoint, tables, tmp_path, browser):
    products, orders = tables
    report = tmp_path / "report.html"
    proc = run_cli(
        "run", "--endpoint-url", endpoint, "--products-table", products, "--orders-table", orders,
        "--create-tables", "--seed-products", "50", "--threads", "4", "--duration", "3s",
        "--output", str(tmp_path / "r.json"), "--report", str(report),
        "--fail-if", "p99_ms>100000", "--fail-if", "reads_per_s<1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    charts = _open(browser, report)
    titles = [c["title"] for c in charts]
    assert len(charts) == CHARTS and all(c["drawn"] for c in charts), titles
    keys = [c for c in charts if "busiest keys over time" in c["title"]]
    assert [c["title"].split(":")[0] for c in keys] == [products] and keys[0]["traces"] >= 1, keys
    by_title = {c["title"].split(":")[0].split(" (")[0]: c for c in charts if c not in keys}
    full_seconds = [row for row in result["timeseries"] if row["seconds"] >= 0.999]
    ops = by_title["Operations per second"]
    assert ops["traces"] == 2 and ops["xtype"] == "date" and ops["points"] == len(full_seconds)
    for table in (products, orders):
        chart = by_title[table]
        assert "(on-demand)" in chart["title"] and chart["traces"] >= 2, chart
    # DynamoDB Local never throttles: the chart says so instead of drawing an empty axis.
    assert by_title["Throttles by reason, and errors, per second"]["said"] == ["no throttles and no errors"]
    assert by_title["Latency over time"]["traces"] == 4
    distribution = by_title["Latency distribution"]
    assert distribution["traces"] == 2 and distribution["xtype"] == "log"
    assert {"90", "99", "99.9", "99.99"} <= set(distribution["ticks"])
    page = browser.find_element("id", "header").text
    assert "OFFLINE" in page and "--fail-if p99_ms>100000 held" in page and "--fail-if reads_per_s<1 held" in page
    assert f"{products} products: on-demand" in page and "advice" in page
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == [], json.dumps(severe)
    assert result["run_id"] in browser.title
    # plotly.js (4.8 MB) is in the file once, compressed; the charts add little to it.
    assert report.stat().st_size < 2_500_000, report.stat().st_size
    browser.save_screenshot(str(tmp_path / "report.png"))


def test_an_under_capacity_report_draws_throttles_by_reason_and_the_provisioned_line(tmp_path, browser):
    out, report = tmp_path / "r.json", tmp_path / "r.html"
    proc = run_cli("run", "--local", "--table-capacity", "2/2", "--threads", "4", "--duration", "4s",
                   "--output", str(out), "--report", str(report))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    charts = _open(browser, report)
    by_title = {c["title"]: c for c in charts}
    throttles = by_title["Throttles by reason, and errors, per second"]
    reasons = {r for row in result["timeseries"] for r in row.get("throttled_by_reason", {})}
    assert "TableReadProvisionedThroughputExceeded" in reasons
    assert {f"throttled: {r}" for r in reasons} <= set(throttles["names"]) and throttles["traces"] >= 2
    products = next(n for n, t in result["tables"].items() if t["role"] == "products")
    table = by_title[f"{products} (provisioned 2/2): consumed and provisioned units"]
    assert "provisioned read units" in table["names"] and table["ytype"] == "log"
    assert "OFFLINE" in browser.find_element("id", "header").text


def test_report_command_refuses_to_overwrite_a_foreign_file(tmp_path, endpoint):
    result = tmp_path / "r.json"
    result.write_text('{"tool": {"name": "ddbload"}, "schema_version": 1}')
    page = tmp_path / "r.html"
    page.write_text("<html>mine</html>")
    proc = run_cli("report", str(result))
    assert proc.returncode == 2 and "refusing to overwrite" in proc.stderr
    assert page.read_text() == "<html>mine</html>"


def test_an_open_model_report_says_the_scenario_in_words_and_draws_target_achieved_and_dropped(tmp_path, browser):
    out, report = tmp_path / "r.json", tmp_path / "r.html"
    proc = run_cli("run", "--local", "--start-rate", "50", "--stages", "1s:100,2s:300,2s:300",
                   "--key-distribution", "hot:1:0.3", "--output", str(out), "--report", str(report))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    charts = _open(browser, report)
    header = " ".join(browser.find_element("id", "header").text.split())
    [hot] = result["hot_keys"]
    assert (
        "arrivals from 50/s: 1 s to 100/s, 2 s to 300/s, 2 s at 300/s (at most 100 in flight); 80% reads, "
        f"one hot key takes 30% of the picks; hot key {hot['key']} (30%)"
    ) in header, header
    assert "stages operations/s" not in header
    # What an hour of this demand costs, and the request IDs a support case would cite.
    assert "an hour of this demand on-demand $" in header, header
    assert "request IDs to cite " in header
    assert result["request_ids"]["slowest"][0]["request_id"] in header
    ops = next(c for c in charts if c["title"] == "Operations per second")
    assert {"target/s", "completed/s", "dropped arrivals/s"} <= set(ops["names"])
    for table in result["tables"]:
        chart = next(c for c in charts if c["title"].startswith(f"{table} ("))
        # Consumed is drawn last, over the capacity lines, so it shows where it meets them.
        assert chart["names"][-2:] == ["read units/s consumed", "write units/s consumed"], chart["names"]
