"""`ddbload cost`: offline runs priced in each capacity mode, checked against a hand computation from the
result's own time series and the shipped prices; the auto scaling simulation sees a surge outrun it."""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import Decimal
from importlib import resources

import jsonschema
import pytest
from conftest import refusal, run_cli

PRICES = json.loads(resources.files("ddbload").joinpath("prices/dynamodb.json").read_text())["regions"]["us-east-1"]
CENT = Decimal("0.01")


def offline_run(tmp_path, name: str, *load: str) -> tuple[dict, str]:
    out = tmp_path / f"{name}.json"
    proc = run_cli("run", "--local", *load, "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text()), str(out)


def cost(path: str, *args: str) -> dict:
    proc = run_cli("cost", path, "--json", *args)
    assert proc.returncode == 0, proc.stderr
    estimate = json.loads(proc.stdout)
    schema = json.loads(resources.files("ddbload").joinpath("schema/cost.schema.json").read_text())
    jsonschema.validate(estimate, schema)
    return estimate


@pytest.fixture(scope="module")
def flat(tmp_path_factory) -> tuple[dict, str]:
    """A flat offline run's result and its file. 1,000 a second: about 200 order writes each second, so a
    second's count stays well inside the 1/0.7 headroom over the opening seconds' mean (at 100 a second, 20
    writes, chance alone crossed it on CI), and both kinds of units pass a reserved block of 100."""
    return offline_run(tmp_path_factory.mktemp("flat"), "flat", "--rate", "1000", "--duration", "4s")


def test_each_mode_equals_a_hand_computation_to_the_cent(flat):
    result, path = flat
    estimate = cost(path, "--hours", "2")
    assert estimate["event_seconds"] == 7200 and estimate["lower_bound"] is False
    assert estimate["prices"]["date"] == "2024-11-01"

    scale = Decimal(7200) / Decimal(str(result["duration_s"]))
    price = {
        "read": Decimal(PRICES["read_request_units_per_million"]) / 1_000_000,
        "write": Decimal(PRICES["write_request_units_per_million"]) / 1_000_000,
    }
    on_demand = sum(
        Decimal(str(units[f"{kind}_units"])) * scale * price[kind]
        for units in result["consumed_capacity"].values()
        for kind in ("read", "write")
    )
    modes = estimate["modes"]
    assert Decimal(modes["on_demand"]["usd"]).quantize(CENT) == on_demand.quantize(CENT)
    assert on_demand > 0

    hour_price = {"read": Decimal(PRICES["rcu_hour"]), "write": Decimal(PRICES["wcu_hour"])}
    held = 0 * hour_price["read"]
    for table in result["consumed_capacity"]:
        for kind in ("read", "write"):
            busiest = max(
                Decimal(str(row["units"][table][f"{kind}_units"])) / Decimal(str(row["seconds"]))
                for row in result["timeseries"]
                if row["seconds"] >= 0.5
            )
            units = max(1, math.ceil(busiest))
            assert modes["provisioned_peak"]["capacity"][table][kind] == units
            held += units * 2 * hour_price[kind]
    assert Decimal(modes["provisioned_peak"]["usd"]).quantize(CENT) == held.quantize(CENT)

    # A flat load that starts inside the 70% target never outruns auto scaling.
    assert modes["provisioned_autoscaling"]["throttled_seconds"] == 0
    assert Decimal(modes["provisioned_autoscaling"]["usd"]) > 0
    assert "provisioned_peak_reserved" not in modes


def _reserved_by_hand(
    held: dict[str, int], reserved_units: dict[str, int], term: str, term_hours: int
) -> tuple[Decimal, Decimal]:
    """24 hours of `held` units a kind with whole blocks of 100 reserved, and the term's commitment, checking
    that the blocks reserved are all the whole blocks held."""
    rates = PRICES["reserved"][term]
    usd = commitment = Decimal(0)
    for kind, short in (("read", "rcu"), ("write", "wcu")):
        blocks = held[kind] // 100
        assert blocks >= 1 and reserved_units[kind] == blocks * 100, (held, reserved_units)
        upfront, hourly = Decimal(rates[f"{short}_upfront_per_100"]), Decimal(rates[f"{short}_hour_per_100"])
        usd += blocks * 24 * (hourly + upfront / term_hours)
        usd += (held[kind] - blocks * 100) * 24 * Decimal(PRICES[f"{short}_hour"])
        commitment += blocks * (upfront + hourly * term_hours)
    return usd, commitment


@pytest.mark.parametrize(("term", "term_hours"), [("1y", 8760), ("3y", 26280)])
def test_reserved_capacity_prices_the_blocks_held_all_event_to_the_cent(flat, term, term_hours):
    """--reserved: the peak's units held all event, all tables together, are reserved in whole blocks of 100
    at the term's hourly rate plus its upfront fee spread over the term; the rest at the standard rate."""
    _, path = flat
    estimate = cost(path, "--hours", "24", "--reserved", term)
    modes = estimate["modes"]
    total = {kind: sum(c[kind] for c in modes["provisioned_peak"]["capacity"].values()) for kind in ("read", "write")}
    reserved = modes["provisioned_peak_reserved"]
    assert reserved["term"] == term
    assert reserved["held_at_least"] == total
    usd, commitment = _reserved_by_hand(total, reserved["reserved_units"], term, term_hours)
    assert Decimal(reserved["usd"]).quantize(CENT) == usd.quantize(CENT)
    assert Decimal(reserved["commitment_usd"]).quantize(CENT) == commitment.quantize(CENT)
    assert Decimal(reserved["usd"]) < Decimal(modes["provisioned_peak"]["usd"])
    # Auto scaling reserves the whole blocks of the figure it never went below (all tables together, at
    # most where it started): each reserved unit-hour is cheaper by the standard rate less the term's.
    by_table = modes["provisioned_autoscaling"]["by_table"]
    scaled = modes["provisioned_autoscaling_reserved"]
    saved = Decimal(0)
    for kind, short in (("read", "rcu"), ("write", "wcu")):
        floor = scaled["held_at_least"][kind]
        assert 100 <= floor <= sum(t[kind]["start"] for t in by_table.values()), (floor, by_table)
        assert scaled["reserved_units"][kind] == floor // 100 * 100
        rates = PRICES["reserved"][term]
        term_rate = (
            Decimal(rates[f"{short}_hour_per_100"]) + Decimal(rates[f"{short}_upfront_per_100"]) / term_hours
        ) / 100
        saved += scaled["reserved_units"][kind] * 24 * (Decimal(PRICES[f"{short}_hour"]) - term_rate)
    standard = Decimal(modes["provisioned_autoscaling"]["usd"])
    assert Decimal(scaled["usd"]).quantize(CENT) == (standard - saved).quantize(CENT)

    shown = run_cli("cost", path, "--hours", "24", "--reserved", term)
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    units = reserved["reserved_units"]
    assert f"{units['read']:,} RCU and {units['write']:,} WCU reserved" in text, text
    assert f"commits ${Decimal(reserved['commitment_usd']).quantize(CENT):,} over the term" in text, text


def test_a_surge_outruns_auto_scaling_and_is_shown_on_the_terminal(tmp_path):
    # 4 s at 20/s then 4 s at 400/s, stretched over an hour: a surge held for half an hour.
    _, path = offline_run(tmp_path, "surge", "--stages", "1s:20,3s:20,1s:400,3s:400")
    modes = cost(path, "--hours", "1")["modes"]
    scaling = modes["provisioned_autoscaling"]
    # Target tracking needs two minutes above target before it acts, then climbs 1/0.7 a step.
    assert scaling["throttled_seconds"] >= 120, scaling
    orders = scaling["by_table"]["Orders"]["write"]
    assert orders["highest"] > orders["start"]

    shown = run_cli("cost", path, "--hours", "1")
    assert shown.returncode == 0, shown.stderr
    assert "on-demand" in shown.stdout and "auto scaling" in shown.stdout
    assert f"{scaling['throttled_seconds']:,} s short of demand" in shown.stdout
    assert "dated 2024-11-01" in shown.stdout and "days old" in shown.stdout

    # advise prices an hour of the same demand with the same figures.
    advice = run_cli("advise", path)
    assert advice.returncode == 0, advice.stderr
    dollars = [f"${Decimal(modes[m]['usd']).quantize(CENT)}" for m in ("on_demand", "provisioned_peak")]
    line = next(x for x in advice.stdout.splitlines() if x.startswith("On-demand $"))
    assert line.startswith(f"On-demand {dollars[0]}, provisioned at the peak {dollars[1]}"), line
    assert f"({scaling['throttled_seconds']:,} s short of demand" in line

    # compare shows each run's hour in each mode, the same figures again.
    compared = run_cli("compare", path, path)
    assert compared.returncode == 0, compared.stderr
    row = next(x for x in compared.stdout.splitlines() if "$/hour on-demand" in x)
    assert row.count(str(Decimal(modes["on_demand"]["usd"]).quantize(CENT))) == 2, row


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> str:
    """A one-second offline run's result file, priced by the tests below."""
    folder = tmp_path_factory.mktemp("cost")
    proc = run_cli("run", "--local", "--rate", "10", "--duration", "1s", "--output", str(folder / "r.json"), cwd=folder)
    assert proc.returncode == 0, proc.stderr
    return str(folder / "r.json")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hours", "0"], "--hours: '0' is not a number from 0.001 to 744"),
        (["--hours", "two"], "--hours: 'two' is not a number"),
        (["--target-utilization", "95"], "--target-utilization: '95' is not a number from 20 to 90"),
        (["--profile", "p"], "--profile/--pricing-endpoint-url go with --prices live"),
        (["--prices", "no-such-file.json"], "--prices: no-such-file.json: No such file or directory"),
        (["--reserved", "2y"], "--reserved: '2y' is not a term (1y or 3y)"),
        (["--reserved", "1y", "--prices", "live"], "--reserved: --prices live does not read the Price List's"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message, small_run):
    proc = run_cli("cost", small_run, *args)
    assert message in refusal(proc)
    assert proc.stdout == ""


def test_a_price_table_without_the_runs_region_names_what_it_has(small_run, tmp_path):
    other = tmp_path / "prices.json"
    other.write_text(json.dumps({"date": "2026-11-01", "regions": {"eu-west-1": PRICES}}))
    proc = run_cli("cost", small_run, "--prices", str(other))
    assert proc.returncode == 2
    assert "no prices for us-east-1 (it has eu-west-1)" in proc.stderr
    floats = tmp_path / "floats.json"
    floats.write_text(json.dumps({"date": "2026-11-01", "regions": {"us-east-1": {**PRICES, "rcu_hour": 0.00013}}}))
    proc = run_cli("cost", small_run, "--prices", str(floats))
    assert proc.returncode == 2 and "rcu_hour must be a decimal number as a string, not 0.00013" in proc.stderr
    plain = tmp_path / "plain.json"
    without_reserved = {k: v for k, v in PRICES.items() if k != "reserved"}
    plain.write_text(json.dumps({"date": "2026-11-01", "source": "ours", "regions": {"us-east-1": without_reserved}}))
    proc = run_cli("cost", small_run, "--prices", str(plain), "--reserved", "3y")
    assert refusal(proc) == "ddbload: error: --reserved: ours has no 3y reserved capacity prices for us-east-1"


def _product(usagetype: str, *tiers: str) -> str:
    """A product document as the Price List API answers it (GetProducts' PriceList entries are JSON text)."""
    dimensions = {
        f"SKU.OFFER.RATE{i}": {"unit": usagetype.rsplit("-", 1)[-1], "pricePerUnit": {"USD": price},
                               "beginRange": str(i * 25), "endRange": "Inf", "description": "..."}
        for i, price in enumerate(tiers)
    }  # fmt: skip
    return json.dumps(
        {
            "product": {"productFamily": "...", "attributes": {"usagetype": usagetype, "regionCode": "us-east-1",
                                                              "servicecode": "AmazonDynamoDB"}},
            "serviceCode": "AmazonDynamoDB",
            "terms": {"OnDemand": {"SKU.OFFER": {"priceDimensions": dimensions}}},
        }
    )  # fmt: skip


class PriceListServer:
    """A local endpoint answering pricing:GetProducts in the API's documented shape, two pages, at twice
    the shipped prices; Standard-IA and replicated-write products beside them must be ignored."""

    def __init__(self) -> None:
        import http.server
        import threading

        pages = [
            [_product("ReadRequestUnits", "0.00000025"), _product("IA-ReadRequestUnits", "0.0000003"),
             _product("WriteRequestUnits", "0.00000125")],
            [_product("ReadCapacityUnit-Hrs", "0", "0.00026"), _product("WriteCapacityUnit-Hrs", "0", "0.0013"),
             _product("ReplicatedWriteCapacityUnit-Hrs", "0.002")],
        ]  # fmt: skip
        self.requests: list[dict] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"target": self.headers["X-Amz-Target"], **body})
                page = int(body.get("NextToken") or 0)
                answer = {"FormatVersion": "aws_v1", "PriceList": pages[page]}
                if page + 1 < len(pages):
                    answer["NextToken"] = str(page + 1)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


def test_live_prices_come_from_the_price_list_api(tmp_path):
    """--prices live asks GetProducts for AmazonDynamoDB in the run's region, follows NextToken, takes the
    paid tier of each Standard price and ignores the rest: at twice the shipped prices, each mode costs
    exactly twice as much as with the shipped table."""
    _, path = offline_run(tmp_path, "flat-live", "--rate", "50", "--duration", "3s")
    server = PriceListServer()
    try:
        live = cost(path, "--hours", "1", "--prices", "live", "--pricing-endpoint-url", server.url)
    finally:
        server.close()
    shipped = cost(path, "--hours", "1")
    assert [r["target"] for r in server.requests] == ["AWSPriceListService.GetProducts"] * 2
    assert server.requests[0]["ServiceCode"] == "AmazonDynamoDB"
    assert {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-east-1"} in server.requests[0]["Filters"]
    assert "Price List API" in live["prices"]["source"]
    # Equal to a billionth of a cent: a 28-digit Decimal division rounds its last digit either way.
    tiny = Decimal("1e-11")
    for mode in ("on_demand", "provisioned_peak", "provisioned_autoscaling"):
        twice = 2 * Decimal(shipped["modes"][mode]["usd"])
        assert Decimal(live["modes"][mode]["usd"]).quantize(tiny) == twice.quantize(tiny), mode


def test_live_prices_missing_from_the_answer_are_one_line():
    from ddbload.cost import PriceError
    from ddbload.live_prices import from_documents

    with pytest.raises(PriceError, match="WriteCapacityUnit-Hrs"):
        from_documents([_product("ReadRequestUnits", "1"), _product("WriteRequestUnits", "1"),
                        _product("ReadCapacityUnit-Hrs", "1")], "us-east-1", date.today())  # fmt: skip
