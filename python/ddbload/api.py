"""Running a load test from Python: blocking `run` (Ctrl-C safe) and awaitable `run_async`, each carrying
out the config's GameDay timeline around the load."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Callable, Literal

from . import _engine
from .gameday_run import TimelineRunner, attach, runner_for
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


def run(
    config: _engine.LoadConfig,
    /,
    *,
    progress: Progress | None = None,
    histograms: bool = False,
    backup_dir: str | Path = ".",
) -> Result:
    """Runs `config` to the end and returns its Result.

    `progress`, if given, is called with each event dict (``type`` is "phase", "seed" or "tick"); with
    histograms=True each tick also carries that second's encoded HdrHistograms.
    A timeline (``LoadConfig(timeline=...)`` or the workload file's) is carried out as the load runs: the
    tables it changes are backed up to `backup_dir` first and put back at the end, and the result gets its
    ``timeline`` (steps, episodes, restore).
    Ctrl-C stops sending within a second and raises RunInterrupted carrying the partial Result.
    """
    runner = runner_for(config, Path(backup_dir))
    handle = _engine.start(config)
    tell = _teller(_with_timeline(progress, runner), histograms)
    interrupted = False
    try:
        _pump(handle, tell)
    except KeyboardInterrupt:
        interrupted = True
        handle.cancel()
        _pump(handle, tell)
    finally:
        if runner is not None:
            runner.finish()  # before the result, which records what it put back
    if interrupted:
        partial = _partial_result(handle)
        raise RunInterrupted(None if partial is None else _timed(partial, runner))
    return _timed(Result.from_json(handle.result()), runner)


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
    backup_dir: str | Path = ".",
) -> Result:
    """Awaitable `run` for notebooks and asyncio programs; cancelling the task stops the run.

    With progress="auto" (the default) a Jupyter notebook shows the live progress lines; elsewhere
    nothing is printed unless a callback is given. `histograms`, `backup_dir` and a timeline as in `run`.
    """
    if progress == "auto":
        progress = _notebook_progress(config)
    runner = runner_for(config, Path(backup_dir))
    handle = _engine.start(config)
    tell = _teller(_with_timeline(progress, runner), histograms)
    try:
        while (event := await handle.next_event()) is not None:
            if tell is not None:
                tell(event)
    except asyncio.CancelledError:
        handle.cancel()
        while await handle.next_event() is not None:
            pass
        raise
    finally:
        if runner is not None:
            await asyncio.to_thread(runner.finish)  # its restore waits on the tables
    return _timed(Result.from_json(handle.result()), runner)


def _with_timeline(progress: Progress | None, runner: TimelineRunner | None) -> Progress | None:
    """`progress` with the timeline's clock chained in first (it starts when the load begins)."""
    return chained(runner.progress if runner else None, progress)


def chained(first: Progress | None, second: Progress | None) -> Progress | None:
    """One progress callback calling two in turn (either may be absent)."""
    if first is None or second is None:
        return first or second

    def tell(event: dict[str, Any]) -> None:
        first(event)
        second(event)

    return tell


def _timed(result: Result, runner: TimelineRunner | None) -> Result:
    return result if runner is None else attach(result, runner)


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
