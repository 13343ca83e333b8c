"""Running a load test from Python: blocking `run` (Ctrl-C safe) and awaitable `run_async`."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable, Literal

from . import _engine
from .result import Result

Progress = Callable[[dict[str, Any]], None]

# Wait in slices this long with the GIL released, so Ctrl-C is seen between them.
_POLL_SLICE_S = 0.1
# A tick's encoded HdrHistograms (about 2 KB a second): handed on only to callers that ask for them.
TICK_HISTOGRAMS = ("latency_histogram", "read_latency_histogram", "write_latency_histogram", "operation_histograms")


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run. `result` holds what was measured until then (None if the load never began)."""

    def __init__(self, result: Result | None) -> None:
        super().__init__("load test interrupted")
        self.result = result


def run(config: _engine.LoadConfig, /, *, progress: Progress | None = None, histograms: bool = False) -> Result:
    """Runs `config` to the end and returns its Result.

    `progress`, if given, is called with each event dict (``type`` is "phase", "seed" or "tick"); with
    histograms=True each tick also carries that second's encoded HdrHistograms.
    Ctrl-C stops sending within a second and raises RunInterrupted carrying the partial Result.
    """
    handle = _engine.start(config)
    tell = _teller(progress, histograms)
    try:
        _pump(handle, tell)
    except KeyboardInterrupt:
        handle.cancel()
        _pump(handle, tell)
        raise RunInterrupted(_partial_result(handle)) from None
    return Result.from_json(handle.result())


def run_prepared(
    config: _engine.LoadConfig, before_load: Callable[[], None], /, *, progress: Progress | None = None
) -> Result:
    """Runs `config` (made with `_hold_start=True`) as `run` does, but once its tables are created and
    seeded and before the first request, calls `before_load()` (e.g. to change their capacity)."""
    handle = _engine.start(config)
    tell = _teller(progress, False)
    try:
        while not handle.done:
            event = handle.poll(_POLL_SLICE_S)
            if event is None:
                continue
            data = json.loads(event)
            if data.get("type") == "phase" and data.get("phase") == "ready":
                before_load()
                handle.begin_at(time.time())
            elif tell is not None and data.get("type") != "catalog":
                tell(event)
    except BaseException as stop:
        handle.cancel()
        _pump(handle, None)
        if isinstance(stop, KeyboardInterrupt):
            raise RunInterrupted(_partial_result(handle)) from None
        raise
    return Result.from_json(handle.result())


async def run_async(
    config: _engine.LoadConfig,
    /,
    *,
    progress: Progress | Literal["auto"] | None = "auto",
    histograms: bool = False,
) -> Result:
    """Awaitable `run` for notebooks and asyncio programs; cancelling the task stops the run.

    With progress="auto" (the default) a Jupyter notebook shows the live progress lines; elsewhere
    nothing is printed unless a callback is given. `histograms` as in `run`.
    """
    if progress == "auto":
        progress = _notebook_progress(config)
    handle = _engine.start(config)
    tell = _teller(progress, histograms)
    try:
        while (event := await handle.next_event()) is not None:
            if tell is not None:
                tell(event)
    except asyncio.CancelledError:
        handle.cancel()
        while await handle.next_event() is not None:
            pass
        raise
    return Result.from_json(handle.result())


def _notebook_progress(config: _engine.LoadConfig) -> Progress | None:
    try:
        shell = type(get_ipython()).__name__  # type: ignore[name-defined]
    except NameError:
        return None
    if shell != "ZMQInteractiveShell":
        return None
    from .notebook import NotebookProgress

    return NotebookProgress(config.duration_s)


def _teller(progress: Progress | None, histograms: bool) -> Callable[[str], None] | None:
    """What hands an engine event (JSON) to `progress` as a dict, histograms left out unless asked for."""
    if progress is None:
        return None
    callback = progress

    def tell(event: str) -> None:
        data = json.loads(event)
        if not histograms:
            for key in TICK_HISTOGRAMS:
                data.pop(key, None)
        callback(data)

    return tell


def _pump(handle: _engine.RunHandle, tell: Callable[[str], None] | None) -> None:
    while not handle.done:
        event = handle.poll(_POLL_SLICE_S)
        if event is not None and tell is not None:
            tell(event)


def _partial_result(handle: _engine.RunHandle) -> Result | None:
    try:
        return Result.from_json(handle.result())
    except KeyboardInterrupt:  # the engine's "interrupted before the load began"
        return None
