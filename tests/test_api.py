"""The Python API as a notebook uses it: run, run_async, progress events, errors before any load."""

from __future__ import annotations

import asyncio

import ddbload
import pytest


def _config(endpoint: str, tables: tuple[str, str], **extra) -> ddbload.LoadConfig:
    products, orders = tables
    settings = {
        "endpoint_url": endpoint,
        "products_table": products,
        "orders_table": orders,
        "create_tables": True,
        "seed_products": 100,
        "threads": 4,
        "duration": "2s",
        **extra,
    }
    return ddbload.LoadConfig(**settings)


def test_progress_events_are_the_rows_a_user_reads(endpoint, tables, local_credentials):
    """progress=print must not print kilobytes of encoded histograms a second: a tick is its row."""
    events = []
    result = ddbload.run(_config(endpoint, tables), progress=events.append)
    ticks = [e for e in events if e["type"] == "tick"]
    assert [{k: v for k, v in e.items() if k != "type"} for e in ticks] == result.timeseries
    # A row (counts, units, the second's busiest keys, throttles by table) is about 1 KB; an encoded
    # histogram alone is several.
    assert max(len(repr(e)) for e in events) < 2000
    assert not [k for e in ticks for k in e if "histogram" in k]


def test_run_reports_progress_and_returns_the_result(endpoint, tables, local_credentials):
    events = []
    result = ddbload.run(_config(endpoint, tables), progress=events.append, histograms=True)
    assert result.reads["ok"] > 0 and result.writes["ok"] > 0
    kinds = {event["type"] for event in events}
    assert {"phase", "seed", "tick"} <= kinds
    ticks = [e for e in events if e["type"] == "tick"]
    kept_out = ("type", *ddbload.api.TICK_HISTOGRAMS)
    assert [{k: v for k, v in e.items() if k not in kept_out} for e in ticks] == result.timeseries
    # With histograms=True each second carries its latency histograms, so seconds of several runs merge exactly.
    for event in ticks:
        count, _ = ddbload._engine.histogram_quantiles(event["latency_histogram"], [0.99])
        reads, (read_p99,) = ddbload._engine.histogram_quantiles(event["read_latency_histogram"], [0.99])
        assert count == event["reads_ok"] + event["writes_ok"] and reads == event["reads_ok"], event["t"]
        # A second with no read (the last, partial one may have none) has no read p99.
        assert event["read_p99_ms"] == (read_p99 if reads else None)
        # Each named operation's second has its own histogram: its count and p99 are the row's.
        for name, encoded in event.get("operation_histograms", {}).items():
            ended, (p99,) = ddbload._engine.histogram_quantiles(encoded, [0.99])
            second = event["operations"][name]
            assert ended == second["ok"] and second["p99_ms"] == (p99 if ended else None)
    assert not result.interrupted
    assert "ddbload.Result" in repr(result)


def test_run_async_awaits_the_same_result(endpoint, tables, local_credentials):
    ticks = []

    async def main() -> ddbload.Result:
        return await ddbload.run_async(
            _config(endpoint, tables, read_op="batch-get", write_op="transact"),
            progress=lambda e: ticks.append(e) if e["type"] == "tick" else None,
        )

    result = asyncio.run(main())
    assert result.reads["ok"] > 0 and result.writes["ok"] > 0
    assert len(ticks) >= 2
    assert result.data["config"]["write_op"] == "transact"


def test_query_reads_work(endpoint, tables, local_credentials):
    result = ddbload.run(_config(endpoint, tables, read_op="query", read_ratio=1.0, duration="1s"))
    assert result.reads["ok"] > 0 and result.writes["ok"] == 0


def test_missing_table_raises_table_error(endpoint, tables, local_credentials):
    with pytest.raises(ddbload.TableError, match=tables[0]):
        ddbload.run(_config(endpoint, tables, create_tables=False))


def test_empty_catalog_asks_for_seed_products(endpoint, tables, local_credentials):
    with pytest.raises(ddbload.TableError, match="--seed-products"):
        ddbload.run(_config(endpoint, tables, seed_products=0))


def test_unreachable_endpoint_raises_endpoint_error(local_credentials):
    with pytest.raises(ddbload.EndpointError, match="cannot reach"):
        ddbload.run(ddbload.LoadConfig(endpoint_url="http://127.0.0.1:9", duration="1s"))


def test_every_error_is_a_ddbload_error():
    for error in (ddbload.ConfigError, ddbload.TableError, ddbload.EndpointError, ddbload.CredentialsError):
        assert issubclass(error, ddbload.DdbLoadError)


def test_cancelling_run_async_stops_the_run(endpoint, tables, dynamodb, local_credentials):
    """Cancelling the task (a notebook's interrupt) stops sending at once: no order lands afterwards."""
    import time

    config = _config(endpoint, tables, duration=None, minutes=5, read_ratio=0.0)
    loaded = []

    async def main() -> float:
        task = asyncio.create_task(
            ddbload.run_async(config, progress=lambda e: loaded.append(e) if e["type"] == "tick" else None)
        )
        while len(loaded) < 2:
            await asyncio.sleep(0.05)
        task.cancel()
        cancelled_at = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - cancelled_at

    took = asyncio.run(main())
    assert took < 2.0, f"took {took:.1f}s to stop"

    def count() -> int:
        pages = dynamodb.get_paginator("scan").paginate(TableName=tables[1], Select="COUNT")
        return sum(page["Count"] for page in pages)

    before = count()
    time.sleep(1.0)
    assert before > 0 and count() == before
