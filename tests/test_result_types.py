"""The result JSON's TypedDicts cannot drift from its schema: each one's required keys are the schema
part's "required" list, and every property the schema names is one of its keys."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from ddbload import result_types as t

# Where each TypedDict's object sits in the schema: the keys leading to it from the top level.
PARTS = [
    ((), t.RunResult),
    (("properties", "tool"), t.Tool),
    (("properties", "config"), t.RunConfig),
    (("properties", "tables", "additionalProperties"), t.TableInfo),
    (("properties", "tables", "additionalProperties", "properties", "indexes", "items"), t.IndexInfo),
    (("properties", "summary"), t.Summary),
    (("properties", "summary", "properties", "reads"), t.OpSummary),
    (("properties", "summary", "properties", "writes"), t.OpSummary),
    (("properties", "summary", "properties", "reads", "properties", "latency_ms"), t.LatencyFigures),
    (("properties", "summary", "properties", "reads", "properties", "service_ms"), t.LatencyFigures),
    (("properties", "summary", "properties", "writes", "properties", "latency_ms"), t.LatencyFigures),
    (("properties", "summary", "properties", "writes", "properties", "service_ms"), t.LatencyFigures),
    (("properties", "summary", "properties", "scheduling_lag_ms"), t.LatencyFigures),
    (("properties", "consumed_capacity", "additionalProperties"), t.UnitTotals),
    (("properties", "timeseries", "items"), t.TimeseriesRow),
    (("properties", "timeseries", "items", "properties", "provisioned", "additionalProperties"), t.Provisioned),
    (("properties", "timeseries", "items", "properties", "units", "additionalProperties"), t.UnitTotals),
    (("properties", "timeseries", "items", "properties", "operations", "additionalProperties"), t.OperationSecond),
    (("properties", "timeseries", "items", "properties", "keys", "additionalProperties", "items"), t.KeySecond),
    (("properties", "histograms"), t.Histograms),
    (("properties", "histograms", "properties", "operations", "additionalProperties"), t.OperationHistograms),
    (("$defs", "op_summary"), t.OpSummary),
    (("properties", "distributed"), t.Distributed),
    (("properties", "parts", "items"), t.TaskPart),
    (("properties", "hot_keys", "items"), t.HotKey),
    (("properties", "keys", "additionalProperties"), t.KeysOf),
    (("properties", "keys", "additionalProperties", "properties", "attempts", "items"), t.KeyCount),
    (("properties", "keys", "additionalProperties", "properties", "throttles", "items"), t.KeyCount),
    (("properties", "verdict"), t.Verdict),
    (("properties", "request_ids"), t.RequestIds),
    (("$defs", "kept_call"), t.KeptCall),
]


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(resources.files("ddbload").joinpath("schema/result.schema.json").read_text())


@pytest.mark.parametrize(("path", "typed"), PARTS, ids=["/".join(path) or "result" for path, _ in PARTS])
def test_the_typeddict_follows_the_schema(schema, path, typed):
    part = schema
    for key in path:
        part = part[key]
    assert typed.__required_keys__ == set(part.get("required", []))
    assert set(part["properties"]) <= typed.__required_keys__ | typed.__optional_keys__


def test_every_typeddict_is_checked():
    defined = {v for name, v in vars(t).items() if isinstance(v, type) and v.__module__ == t.__name__}
    assert {v for v in defined if not v.__name__.startswith("_")} == {typed for _, typed in PARTS}
