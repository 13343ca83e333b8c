"""Type stubs for the native module ddbload._engine (kept true by mypy.stubtest in the test command)."""

from decimal import Decimal
from os import PathLike
from typing import Any, Callable, final

__all__ = [
    "AwsError",
    "ConfigError",
    "CredentialsError",
    "DataError",
    "DdbLoadError",
    "Emulator",
    "EndpointError",
    "InternalError",
    "LoadConfig",
    "PartialSetupError",
    "RunHandle",
    "TableError",
    "__version__",
    "apply_scaling",
    "check_workload",
    "cleanup_orders",
    "cloudwatch_alarm_states",
    "cloudwatch_delete_alarms",
    "cloudwatch_get_metric_data",
    "cloudwatch_put_alarms",
    "cloudwatch_put_metric_data",
    "describe_capacity",
    "describe_limits",
    "describe_scaling",
    "dynamodb_price_list",
    "histogram_quantiles",
    "histogram_summary",
    "merge_histograms",
    "run_options",
    "sample_table",
    "simulate_autoscaling",
    "start",
    "update_capacity",
]

__version__: str

class DdbLoadError(Exception): ...

class ConfigError(DdbLoadError):
    # Set on errors the engine raises: the option as the CLI spells it ("--threads") and why.
    option: str
    reason: str

class TableError(DdbLoadError): ...
class EndpointError(DdbLoadError): ...
class CredentialsError(DdbLoadError): ...
class AwsError(DdbLoadError): ...
class DataError(DdbLoadError): ...
class PartialSetupError(DdbLoadError): ...
class InternalError(DdbLoadError): ...

@final
class LoadConfig:
    def __new__(
        cls,
        *,
        threads: int | None = None,
        minutes: float | None = None,
        duration: str | float | None = None,
        region: str | None = None,
        profile: str | None = None,
        endpoint_url: str | None = None,
        workload: str | PathLike[str] | dict[str, Any] | None = None,
        products_table: str | None = None,
        orders_table: str | None = None,
        create_tables: bool = False,
        seed_products: int | None = None,
        read_ratio: float | None = None,
        read_op: str | None = None,
        batch_size: int | None = None,
        consistent_reads: bool = False,
        write_op: str | None = None,
        max_attempts: int | None = None,
        keep_request_ids: int | None = None,
        grace: str | float | None = None,
        client: str | None = None,
        seed: int | None = None,
        run_id: str | None = None,
        price_min: Decimal | int | str | None = None,
        price_max: Decimal | int | str | None = None,
        max_quantity: int | None = None,
        max_lines: int | None = None,
        ttl_hours: int | None = None,
        sample_products: int | None = None,
        table_capacity: str | None = None,
        rate: float | None = None,
        stages: str | list[tuple[str | float, float]] | None = None,
        start_rate: float | None = None,
        max_in_flight: int | None = None,
        key_distribution: str | None = None,
        timeline: str | PathLike[str] | list[dict[str, Any]] | None = None,
        # A distributed run's driver sets these for its tasks; they are not for users.
        _task: int | None = None,
        _hold_start: bool = False,
        _catalog: str | None = None,
    ) -> LoadConfig: ...
    @property
    def task(self) -> int | None: ...
    @property
    def threads(self) -> int: ...
    @property
    def duration_s(self) -> float: ...
    @property
    def region(self) -> str: ...
    @property
    def endpoint_url(self) -> str | None: ...
    @property
    def products_table(self) -> str: ...
    @property
    def orders_table(self) -> str: ...
    @property
    def read_ratio(self) -> float: ...
    @property
    def run_id(self) -> str | None: ...
    @property
    def seed(self) -> int | None: ...
    @property
    def price_min(self) -> Decimal: ...
    @property
    def price_max(self) -> Decimal: ...
    @property
    def rate(self) -> float | None: ...
    @property
    def open_model(self) -> bool: ...
    @property
    def profile(self) -> str | None: ...
    @property
    def timeline(self) -> dict[str, Any] | None: ...
    def to_json(self) -> str: ...

@final
class RunHandle:
    def poll(self, timeout_s: float) -> str | None: ...
    def next_event(self) -> Any: ...
    def begin_at(self, unix_seconds: float) -> None: ...
    def cancel(self) -> None: ...
    @property
    def done(self) -> bool: ...
    def result(self) -> str: ...

def start(config: LoadConfig) -> RunHandle: ...
def describe_capacity(
    *,
    region: str = ...,
    profile: str | None = None,
    endpoint_url: str | None = None,
    tables: list[str] | None = None,
) -> str: ...
def update_capacity(
    *,
    table: str,
    region: str = ...,
    profile: str | None = None,
    endpoint_url: str | None = None,
    billing_mode: str | None = None,
    read_units: int | None = None,
    write_units: int | None = None,
    index_units: dict[str, tuple[int, int]] | None = None,
    warm_read: int | None = None,
    warm_write: int | None = None,
    on_demand_max: tuple[int, int] | None = None,
) -> None: ...
def cleanup_orders(
    *,
    table: str,
    run_id: str | None = None,
    seeded_products: bool = False,
    dry_run: bool = False,
    region: str = ...,
    profile: str | None = None,
    endpoint_url: str | None = None,
    progress: Callable[[str], object] | None = None,
) -> str: ...
def describe_limits(*, region: str = ..., profile: str | None = None, endpoint_url: str | None = None) -> str: ...
def cloudwatch_put_alarms(
    *, alarms: str, region: str = ..., profile: str | None = None, endpoint_url: str | None = None
) -> None: ...
def cloudwatch_alarm_states(
    *, names: list[str], region: str = ..., profile: str | None = None, endpoint_url: str | None = None
) -> dict[str, str]: ...
def cloudwatch_delete_alarms(
    *, names: list[str], region: str = ..., profile: str | None = None, endpoint_url: str | None = None
) -> None: ...
def cloudwatch_put_metric_data(
    *,
    namespace: str,
    data: str,
    region: str = ...,
    profile: str | None = None,
    endpoint_url: str | None = None,
) -> int: ...
def cloudwatch_get_metric_data(
    *,
    queries: str,
    start: float,
    end: float,
    region: str = ...,
    profile: str | None = None,
    endpoint_url: str | None = None,
) -> str: ...
def dynamodb_price_list(
    *, region_code: str, region: str = ..., profile: str | None = None, endpoint_url: str | None = None
) -> list[str]: ...
def describe_scaling(
    *,
    tables: dict[str, list[str]],
    region: str = ...,
    profile: str | None = None,
    endpoint_url: str | None = None,
) -> str: ...
def apply_scaling(
    *,
    changes: str,
    region: str = ...,
    profile: str | None = None,
    endpoint_url: str | None = None,
) -> None: ...
def run_options() -> list[dict[str, Any]]:
    """The options `ddbload run` offers, from the engine's table: keyword, flag, group, kind, choices,
    metavar, help, default, default_words, exclusive."""

def merge_histograms(encoded: list[str]) -> str: ...
def histogram_quantiles(encoded: str, quantiles: list[float]) -> tuple[int, list[float]]: ...
def histogram_summary(encoded: str) -> dict[str, float]: ...
def check_workload(workload: str) -> None: ...
def sample_table(
    *, table: str, sample: int, region: str = ..., profile: str | None = None, endpoint_url: str | None = None
) -> str: ...
def simulate_autoscaling(
    demand: list[Decimal], min: int, max: int, target_percent: Decimal
) -> tuple[list[int], int]: ...

@final
class Emulator:
    def __new__(
        cls,
        *,
        host: str = ...,
        port: int = 0,
        threads: int = 1,
        region: str = ...,
        data_dir: str | None = None,
        create_table_ms: int = 0,
        update_table_ms: int = 0,
        delete_table_ms: int = 0,
    ) -> Emulator: ...
    @property
    def create_table_ms(self) -> int: ...
    @create_table_ms.setter
    def create_table_ms(self, ms: int) -> None: ...
    @property
    def update_table_ms(self) -> int: ...
    @update_table_ms.setter
    def update_table_ms(self, ms: int) -> None: ...
    @property
    def delete_table_ms(self) -> int: ...
    @delete_table_ms.setter
    def delete_table_ms(self, ms: int) -> None: ...
    @property
    def url(self) -> str: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def port(self) -> int: ...
    def stop(self) -> None: ...
    def __enter__(self) -> Emulator: ...
    def __exit__(self, exc_type: object, exc: object, tb: object) -> None: ...
