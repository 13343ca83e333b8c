"""TypedDicts of the result JSON (schema/result.schema.json): required keys required, the others optional."""

# Optional keys sit in a `total=False` subclass of the required ones (Python 3.9 has no NotRequired).
# tests/test_result_types.py checks every class here against the schema's "required" and "properties".

from __future__ import annotations

from typing import Any, Literal, TypedDict

# The two operations (the keys of summary and histograms), the tables' roles, and the percentiles of a
# LatencyFigures.
Operation = Literal["reads", "writes"]
Role = Literal["products", "orders"]
Quantile = Literal["p50", "p90", "p99", "p999", "max"]


class Tool(TypedDict):
    """`tool`: the program that wrote the result."""

    name: Literal["ddbload"]
    version: str


class _RunConfigRequired(TypedDict):
    threads: int
    duration_s: float
    region: str
    products_table: str
    orders_table: str
    read_ratio: float
    seed: int
    run_id: str
    price_min: str  # exact decimal
    price_max: str


class RunConfig(_RunConfigRequired, total=False):
    """`config`: the run's settings as the engine resolved them."""

    profile: str | None
    endpoint_url: str | None
    read_op: Literal["get", "batch-get", "query"]
    write_op: Literal["put", "transact"]
    client: Literal["fast", "sdk"]
    keep_request_ids: int  # since ddbload 0.3
    workload: dict[str, Any]  # since ddbload 0.3: the workload file's JSON form (absent: the workshop)
    # Written by the engine and read by ddbload, but not in the schema (which allows further keys).
    consistent_reads: bool
    max_attempts: int
    grace_s: float
    rate: float | None
    stages: list[dict[str, float]]
    max_in_flight: int
    key_distribution: str


class _IndexInfoRequired(TypedDict):
    name: str


class IndexInfo(_IndexInfoRequired, total=False):
    """An entry of a table's `indexes`: a global secondary index's capacity."""

    read_capacity_units: int | None
    write_capacity_units: int | None
    warm_read_units_per_second: int | None
    warm_write_units_per_second: int | None


class _TableInfoRequired(TypedDict):
    role: Role | str  # the workshop's role, or a workload file's name for the table
    billing_mode: str
    status: str
    read_capacity_units: int | None
    write_capacity_units: int | None
    indexes: list[IndexInfo]
    created_by_run: bool


class TableInfo(_TableInfoRequired, total=False):
    """A value of `tables`: a table's capacity settings when the run started."""

    warm_read_units_per_second: int | None
    warm_write_units_per_second: int | None
    on_demand_max_read_request_units: int | None
    on_demand_max_write_request_units: int | None
    item_count: int | None


class LatencyFigures(TypedDict):
    """`latency_ms`, `service_ms` and `scheduling_lag_ms`: milliseconds."""

    p50: float
    p90: float
    p99: float
    p999: float
    max: float
    mean: float


class _OpSummaryRequired(TypedDict):
    ok: int
    throttled_attempts: int
    throttled_by_reason: dict[str, int]
    conditional_check_failed: int
    errors: dict[str, int]  # final failures by error code
    latency_ms: LatencyFigures
    per_second: float


class OpSummary(_OpSummaryRequired, total=False):
    """`summary.reads` and `summary.writes`; results before ddbload 0.2 lack the optional keys."""

    attempts: int
    gave_up: int
    cut_at_deadline: int
    timed_out: int
    service_ms: LatencyFigures
    throttled_by_resource: dict[str, dict[str, int]]  # "Orders/index/by_status" -> reason -> count
    not_found: int  # reads that found no item (only when some did), since ddbload 0.3


class _SummaryRequired(TypedDict):
    reads: OpSummary
    writes: OpSummary
    throttle_rate: float


class Summary(_SummaryRequired, total=False):
    """`summary`: the run's totals; the optional keys are the open model's (and `model`, since 0.2)."""

    model: Literal["closed", "open"]
    offered: int
    dropped: int
    scheduling_lag_ms: LatencyFigures


class UnitTotals(TypedDict):
    """A value of `consumed_capacity`, and of a time-series row's `units`."""

    read_units: float
    write_units: float


class Provisioned(TypedDict):
    """A value of a time-series row's `provisioned` (None: on-demand)."""

    read: int | None
    write: int | None


class _TimeseriesRowRequired(TypedDict):
    t: int
    seconds: float
    reads_ok: int
    writes_ok: int
    throttled: int
    errors: int
    read_units: float
    write_units: float
    p99_ms: float | None


class _OperationSecondRequired(TypedDict):
    ok: int
    throttled: int
    errors: int
    p50_ms: float | None
    p99_ms: float | None


class OperationSecond(_OperationSecondRequired, total=False):
    """`timeseries[].operations.NAME`: one named operation's second."""

    attempts: int  # since ddbload 0.3


class TimeseriesRow(_TimeseriesRowRequired, total=False):
    """An entry of `timeseries`: one second of load."""

    provisioned: dict[str, Provisioned]
    target_rate: float
    offered: int
    dropped: int
    attempts: int  # since ddbload 0.3
    read_p50_ms: float | None
    read_p99_ms: float | None
    write_p50_ms: float | None
    write_p99_ms: float | None
    units: dict[str, UnitTotals]
    throttled_by_reason: dict[str, int]
    throttled_by_resource: dict[str, dict[str, int]]  # since ddbload 0.3
    operations: dict[str, OperationSecond]
    keys: dict[str, list[KeySecond]]  # since ddbload 0.3


class KeySecond(TypedDict):
    """One of a second's busiest keys of a table or index (`timeseries[].keys[TABLE]`)."""

    key: str
    count: int


class _HistogramsRequired(TypedDict):
    encoding: str
    unit: Literal["microseconds"]
    reads: str  # base64
    writes: str


class OperationHistograms(TypedDict):
    """`histograms.operations.NAME`: one named operation's encoded histograms."""

    latency: str
    service: str


class Histograms(_HistogramsRequired, total=False):
    """`histograms`: each operation's encoded latency histogram."""

    scheduling_lag: str
    # Written by the engine since 0.2 and read by ddbload, but not in the schema.
    service_reads: str
    service_writes: str
    operations: dict[str, OperationHistograms]  # since ddbload 0.3


class Distributed(TypedDict):
    """`distributed`: a run spread over a Ray cluster."""

    ray_address: str
    tasks: int
    nodes: int
    lost: int


class _TaskPartRequired(TypedDict):
    task: int
    node: str
    threads: int
    status: Literal["ok", "interrupted", "lost"]


class TaskPart(_TaskPartRequired, total=False):
    """An entry of `parts`: one task of a distributed run."""

    rate: float
    error: str
    duration_s: float
    seconds_reported: int
    summary: dict[str, Any]  # the task's counts and latency; the schema leaves its shape open
    consumed_capacity: dict[str, UnitTotals]
    histograms: Histograms


class HotKey(TypedDict):
    """An entry of `hot_keys`: a key the key distribution favours and its share of the picks."""

    table: str
    key: str
    share: float


class _KeyCountRequired(TypedDict):
    key: str
    count: int
    error: int
    share: float


class KeyCount(_KeyCountRequired, total=False):
    """One of `keys`' busiest keys: attempts counted (at most `error` above those sent), their share."""

    reason: str  # throttles only


class KeysOf(TypedDict):
    """`keys[TABLE]` (or TABLE/index/NAME): the partition keys the run sent most attempts and throttles."""

    attempts_total: int
    attempts: list[KeyCount]
    throttles: list[KeyCount]


Outcome = Literal["held", "throttled", "errors", "client_limited", "interrupted"]


class Verdict(TypedDict):
    """`verdict`: what the run shows in one word, and why."""

    outcome: Outcome
    reasons: list[str]


class _RunResultRequired(TypedDict):
    schema_version: Literal[1]
    tool: Tool
    run_id: str
    started_at: str  # RFC 3339
    duration_s: float
    interrupted: bool
    config: RunConfig
    tables: dict[str, TableInfo]
    summary: Summary
    consumed_capacity: dict[str, UnitTotals]
    timeseries: list[TimeseriesRow]
    histograms: Histograms


class KeptCall(TypedDict):
    """A call kept by DynamoDB's request ID (`request_ids`)."""

    request_id: str
    operation: Literal["read", "write"]
    ms: float
    at: float


class RequestIds(TypedDict):
    """Request IDs to cite in a support case: the slowest calls, and the first throttled per reason."""

    slowest: list[KeptCall]
    throttled: dict[str, list[KeptCall]]


class RunResult(_RunResultRequired, total=False):
    """The whole result JSON (`ddbload run --output`, `Result.data`)."""

    distributed: Distributed
    parts: list[TaskPart]
    hot_keys: list[HotKey]  # since ddbload 0.3
    keys: dict[str, KeysOf]  # since ddbload 0.3
    verdict: Verdict  # since ddbload 0.3
    request_ids: RequestIds  # since ddbload 0.3
    operations: dict[str, OpSummary]  # since ddbload 0.3
    timeline: dict[str, Any]  # run --timeline, since ddbload 0.3: steps, episodes, backup, restored
    server_view: dict[str, Any]  # DynamoDB's own metrics of the run (CloudWatch), since ddbload 0.3
    replay: dict[str, Any]  # ddbload replay: the trace's figures beside the run's, since ddbload 0.3
