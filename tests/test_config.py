"""LoadConfig at the Python boundary: validation messages, exact Decimal money, CLI defaults."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal

import ddbload
import pytest
from conftest import run_cli
from ddbload.cli import build_parser, config_from_args


@pytest.mark.parametrize(
    ("kwargs", "option"),
    [
        ({"threads": 0}, "--threads"),
        ({"threads": -3}, "--threads"),
        ({"minutes": 0}, "--minutes"),
        ({"minutes": -1.5}, "--minutes"),
        ({"duration": "soon"}, "--duration"),
        ({"duration": "0s"}, "--duration"),
        ({"minutes": 1, "duration": "60s"}, "--minutes"),
        ({"read_ratio": 1.5}, "--read-ratio"),
        ({"read_ratio": -0.1}, "--read-ratio"),
        ({"read_op": "scan"}, "--read-op"),
        ({"products_table": "x"}, "--products-table"),
        ({"endpoint_url": "127.0.0.1:8000"}, "--endpoint-url"),
        ({"price_min": Decimal("5"), "price_max": Decimal("1")}, "--price-max"),
    ],
)
def test_bad_values_raise_config_error_naming_the_option(kwargs, option):
    """From Python the message names the keyword as the caller wrote it; the CLI flag rides along."""
    with pytest.raises(ddbload.ConfigError) as err:
        ddbload.LoadConfig(**kwargs)
    keyword = option.lstrip("-").replace("-", "_")
    assert str(err.value).startswith(f"{keyword}: "), str(err.value)
    assert err.value.option == option and str(err.value) == f"{keyword}: {err.value.reason}"
    assert "\n" not in str(err.value)


def test_a_float_given_as_money_is_a_type_error_naming_the_field():
    with pytest.raises(TypeError, match=r"price_min.*float"):
        ddbload.LoadConfig(price_min=19.99)
    with pytest.raises(TypeError, match="price_max"):
        ddbload.LoadConfig(price_max=500.0)


def test_money_beyond_what_rust_decimal_holds_is_an_error_not_rounding():
    with pytest.raises(ddbload.ConfigError, match=r"^price_min: .*digits"):
        ddbload.LoadConfig(price_min=Decimal("1.00000000000000000000000000000001"))
    with pytest.raises(ddbload.ConfigError, match=r"^price_max: "):
        ddbload.LoadConfig(price_max=Decimal("1E+40"))
    with pytest.raises(ddbload.ConfigError, match="finite"):
        ddbload.LoadConfig(price_min=Decimal("NaN"))


def test_money_round_trips_exactly_as_decimal():
    config = ddbload.LoadConfig(price_min=Decimal("0.10"), price_max=Decimal("1E+2"))
    assert config.price_min == Decimal("0.10")
    assert isinstance(config.price_min, Decimal)
    assert config.price_max == Decimal("100")
    assert json.loads(config.to_json())["price_min"] == "0.10"


def test_durations_accept_minutes_fractions_and_duration_text():
    assert ddbload.LoadConfig(minutes=0.5).duration_s == 30
    assert ddbload.LoadConfig(duration="1m30s").duration_s == 90
    assert ddbload.LoadConfig(duration=45).duration_s == 45


def test_cli_defaults_are_the_engine_defaults():
    args = build_parser().parse_args(["run"])
    assert json.loads(config_from_args(args).to_json()) == json.loads(ddbload.LoadConfig().to_json())


def test_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        ddbload.LoadConfig(20)  # type: ignore[misc]


@pytest.mark.parametrize("field", ["threads", "batch_size", "max_attempts", "sample_products", "seed_products"])
def test_counts_refuse_bools_and_floats_with_a_type_error(field):
    with pytest.raises(TypeError, match=rf"{field} must be an int, not bool"):
        ddbload.LoadConfig(**{field: True})
    with pytest.raises(TypeError, match=rf"{field} must be an int, not float"):
        ddbload.LoadConfig(**{field: 2.0})


@pytest.mark.parametrize("value", [2**63, 2**64, 10**40, -(2**70)])
def test_huge_counts_are_config_errors_not_overflow(value):
    with pytest.raises(ddbload.ConfigError) as err:
        ddbload.LoadConfig(threads=value)
    assert str(err.value).startswith("threads: ") and str(value) in str(err.value)


def test_a_price_range_whose_totals_cannot_be_exact_is_refused():
    long = Decimal("9.999999999999999999999999999")
    with pytest.raises(ddbload.ConfigError, match=r"^price_max: "):
        ddbload.LoadConfig(price_min=long, price_max=long)
    # One line of one unit can always be totalled: the same price is fine then.
    ddbload.LoadConfig(price_min=long, price_max=long, max_lines=1, max_quantity=1)


def test_the_command_line_names_the_flag_where_python_names_the_keyword():
    args = build_parser().parse_args(["run", "--threads", "0"])
    with pytest.raises(ddbload.ConfigError, match=r"^--threads: must be between 1 and"):
        config_from_args(args)
    proc = run_cli("run", "--read-ratio", "2", "--endpoint-url", "http://127.0.0.1:1")
    assert proc.returncode == 2 and proc.stderr.startswith("ddbload: error: --read-ratio: must be between 0 and 1")


@pytest.mark.parametrize("keyword", ["task", "hold_start", "catalog"])
def test_a_distributed_runs_hand_off_fields_are_not_public_keywords(keyword):
    """`catalog="garbage"` used to write tables before failing, `hold_start=True` to hang forever."""
    with pytest.raises(TypeError, match=keyword):
        ddbload.LoadConfig(**{keyword: "garbage" if keyword == "catalog" else 1})


def test_an_endless_stages_iterator_is_refused_not_followed_forever():
    with pytest.raises(ddbload.ConfigError, match="at most 1000 stages"):
        ddbload.LoadConfig(stages=itertools.repeat(("1s", 10)))
