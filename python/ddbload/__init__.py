"""ddbload: rehearse a peak sales event against DynamoDB - product lookups and order creations at once."""

from ._engine import (
    AwsError,
    ConfigError,
    CredentialsError,
    DataError,
    DdbLoadError,
    Emulator,
    EndpointError,
    InternalError,
    LoadConfig,
    PartialSetupError,
    TableError,
    __version__,
)
from .api import RunInterrupted, run, run_async
from .result import Result

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
    "Result",
    "RunInterrupted",
    "TableError",
    "__version__",
    "run",
    "run_async",
]
