"""Runs one rehearsal as K tasks on a Ray cluster: each task runs the Rust engine in-process on its
node, all begin at one agreed instant, the driver shows one merged progress line a second (rows
sent through a Ray queue while the tasks run) and merges their results exactly."""

from __future__ import annotations

import json
import logging
import secrets
import socket
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import ray
from ray.exceptions import RayActorError, RayError, RayTaskError
from ray.util.queue import Empty, Queue
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from .. import _engine
from ..api import RunInterrupted
from ..result import Result
from .merge import Part, merge, merge_second, merged_tick_histograms, tick_histograms
from .split import split, task_count

Progress = Callable[[dict[str, Any]], None]

# How far ahead the common start is set once every task is ready: time for the message to reach
# every node, with a margin.
START_AHEAD_S = 3.0
# After a cancel, how long tasks get to hand in their partial results before they count as lost.
STOP_WAIT_S = 15.0
RAY_NAMESPACE = "ddbload"
CONNECT_TIMEOUT_S = 5.0
# A replay's share of the spool travels to its task's node through Ray's object store in pieces of this
# size: the driver holds one piece at a time, whatever the trace's length (the store spills to disk).
SPOOL_PIECE_BYTES = 32 << 20


class DistributedError(Exception):
    """A task failed before the load began, or none returned a result."""


class ClusterUnreachable(DistributedError):
    """The --ray address leads to no cluster this driver can join."""


# Ray's own type hints for remote() do not list actor options such as max_concurrency.
@ray.remote(num_cpus=0, max_concurrency=4)  # type: ignore[call-overload]
class TaskRunner:
    """One task: runs the engine on its node; `begin_at` and `cancel` may come while `run` runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handle: _engine.RunHandle | None = None
        self._begin: float | None = None
        self._cancelled = False

    def node(self) -> str:
        return socket.gethostname()

    def run(self, kwargs: dict[str, Any], queue: Queue) -> str:
        pieces = kwargs.pop("_replay_spool", None)
        if pieces is None:
            return self._run(kwargs, queue)
        # A replay's share of the spool came as pieces in the object store: the engine reads it from this
        # node's disk.
        with tempfile.TemporaryDirectory(prefix="ddbload-replay-task-") as folder:
            replay = json.loads(kwargs["_replay"])
            path = Path(folder) / replay["spool"]
            with path.open("wb") as out:
                for piece in pieces:
                    out.write(ray.get(piece))
            return self._run(dict(kwargs, _replay=json.dumps(dict(replay, spool=str(path)))), queue)

    def _run(self, kwargs: dict[str, Any], queue: Queue) -> str:
        handle = _engine.start(_engine.LoadConfig(**kwargs))
        with self._lock:
            self._handle = handle
            if self._begin is not None:
                handle.begin_at(self._begin)
            if self._cancelled:
                handle.cancel()
        task = kwargs["_task"]
        while not handle.done:
            event = handle.poll(0.2)
            if event is not None:
                queue.put((task, json.loads(event)))
        return handle.result()

    def begin_at(self, unix_seconds: float) -> None:
        with self._lock:
            self._begin = unix_seconds
            if self._handle is not None:
                self._handle.begin_at(unix_seconds)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._handle is not None:
                self._handle.cancel()


def spool_pieces(path: Path, size: int = SPOOL_PIECE_BYTES) -> list[ray.ObjectRef[bytes]]:
    """The file put in Ray's object store `size` bytes at a time, then removed: the pieces' references
    in order."""
    pieces = []
    with path.open("rb") as f:
        while piece := f.read(size):
            pieces.append(ray.put(piece))
    path.unlink()
    return pieces


def connect(address: str) -> list[dict[str, Any]]:
    """Joins the cluster at `address` ("auto": the one this machine belongs to); returns its alive
    nodes."""
    if not ray.is_initialized():
        _check_reachable(address)
        try:
            ray.init(
                address=address,
                namespace=RAY_NAMESPACE,
                logging_level=logging.ERROR,
                log_to_driver=False,
                configure_logging=False,
            )
        except (ConnectionError, RuntimeError, ValueError) as e:
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ClusterUnreachable(f"--ray {address}: cannot join the Ray cluster ({reason})") from None
    return [n for n in ray.nodes() if n.get("Alive")]


def _check_reachable(address: str) -> None:
    """A HOST:PORT that nothing answers on is refused at once (Ray itself retries for minutes)."""
    if address == "auto" or address.startswith("ray://"):
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ClusterUnreachable(f"--ray: expected auto or HOST:PORT, got {address!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]  # an IPv6 address, written [::1]:6379 as in a URL
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as e:
        raise ClusterUnreachable(f"--ray {address}: no Ray cluster answers there ({e.strerror or e})") from None


def run_distributed(kwargs: dict[str, Any], *, address: str, tasks: int | None, progress: Progress | None) -> Result:
    """Runs `kwargs`'s load split over the cluster and returns the merged result.

    Ctrl-C stops every task and raises RunInterrupted with the merged partial result.
    """
    nodes = connect(address)
    kwargs = dict(kwargs)
    if kwargs.get("seed") is None:
        kwargs["seed"] = secrets.randbits(63)
    if kwargs.get("run_id") is None:
        kwargs["run_id"] = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
    config = json.loads(_engine.LoadConfig(**kwargs).to_json())
    kwargs["threads"] = config["threads"]  # the engine's default when none was given (closed runs split it)
    count = task_count(kwargs, tasks or len(nodes))
    shares = split(kwargs, count)
    for share in shares:
        if "_replay_spool" in share:
            share["_replay_spool"] = spool_pieces(share["_replay_spool"])
    placed = [nodes[i % len(nodes)] for i in range(count)]
    runners = [
        TaskRunner.options(  # type: ignore[attr-defined]
            scheduling_strategy=NodeAffinitySchedulingStrategy(node_id=node["NodeID"], soft=False)
        ).remote()
        for node in placed
    ]
    parts = [
        Part(task=i, node=str(node.get("NodeManagerHostname", node["NodeID"][:8])), threads=s.get("threads", 0),
             rate=s.get("rate"))
        for i, (node, s) in enumerate(zip(placed, shares))
    ]  # fmt: skip
    run = _Run(parts, runners, Queue(), progress)
    tell = progress or (lambda event: None)
    used_nodes = len({n["NodeID"] for n in placed})
    tell(
        {
            "type": "phase",
            "phase": "connecting",
            "message": f"Ray cluster ({address}): {count} tasks on {used_nodes} nodes",
        }
    )
    interrupted = False
    try:
        # Task 0 creates and seeds the tables and samples the catalog; the others start once it is
        # ready, with that catalog (the products table is scanned once).
        run.start(0, shares[0])
        run.until_ready({0})
        for i in range(1, count):
            run.start(i, {**shares[i], "_catalog": run.catalog} if run.catalog else shares[i])
        run.until_ready(set(range(count)))
        begin = time.time() + START_AHEAD_S
        ray.get([r.begin_at.remote(begin) for r in runners])
        tell({"type": "phase", "phase": "load", "message": f"run {kwargs['run_id']}: {count} tasks begin together"})
        run.until_done()
    except KeyboardInterrupt:
        interrupted = True
        run.stop()
    if not any(p.result is not None for p in parts):
        errors = "; ".join(f"task {p.task}: {p.error}" for p in parts if p.error)
        if interrupted:
            raise RunInterrupted(None) from None
        raise DistributedError(f"no task finished ({errors or 'no result'})")
    merged = merge(parts, config, interrupted=interrupted)
    merged["distributed"] = {"ray_address": address, "tasks": count, "nodes": used_nodes,
                             "lost": sum(p.result is None for p in parts)}  # fmt: skip
    result = Result(merged)
    if interrupted:
        raise RunInterrupted(result)
    return result


class _Run:
    """The driver's view of the tasks: their events, results and losses."""

    def __init__(self, parts: list[Part], runners: list[Any], queue: Queue, progress: Progress | None) -> None:
        self.parts, self.runners, self.queue, self.progress = parts, runners, queue, progress
        self.refs: dict[Any, int] = {}
        self.ready: set[int] = set()
        self.live: dict[int, dict[int, dict[str, Any]]] = {}
        self.shown_up_to = 0
        self.catalog: str | None = None

    def start(self, task: int, kwargs: dict[str, Any]) -> None:
        self.refs[self.runners[task].run.remote(kwargs, self.queue)] = task

    def until_ready(self, tasks: set[int]) -> None:
        while not tasks <= self.ready:
            self._step()
            failed = [p for p in self.parts if p.task in tasks and p.error is not None]
            if failed:
                self.stop()
                raise DistributedError(f"task {failed[0].task} on {failed[0].node} failed: {failed[0].error}")

    def until_done(self) -> None:
        while self.refs:
            self._step()
        self._drain()
        self._show(flush=True)

    def stop(self) -> None:
        for runner in self.runners:
            runner.cancel.remote()
        deadline = time.monotonic() + STOP_WAIT_S
        while self.refs and time.monotonic() < deadline:
            self._step()
        for task in self.refs.values():
            self.parts[task].error = f"did not stop within {STOP_WAIT_S:.0f} s"
        self.refs.clear()
        self._drain()

    def _step(self) -> None:
        self._drain(timeout=0.2)
        done, _ = ray.wait(list(self.refs), num_returns=len(self.refs), timeout=0)
        for ref in done:
            task = self.refs.pop(ref)
            part = self.parts[task]
            try:
                part.result = json.loads(ray.get(ref))
                self.ready.add(task)
            except RayTaskError as e:
                part.error = _message_line(e.cause if e.cause is not None else e)
            except (RayActorError, RayError) as e:
                part.error = f"task lost: {_message_line(e)}"
        self._drain()
        self._show(flush=not self.refs)

    def _drain(self, timeout: float = 0.0) -> None:
        items = []
        if timeout:
            try:
                items.append(self.queue.get(timeout=timeout))
            except Empty:
                return
        items += self.queue.get_nowait_batch(self.queue.qsize())
        for task, event in items:
            kind = event.get("type")
            if kind == "phase" and event.get("phase") == "ready":
                self.ready.add(task)
            elif kind == "catalog" and task == 0:
                self.catalog = json.dumps(event["products"])
            elif kind == "tick":
                self.parts[task].seconds[event["t"]] = tick_histograms(event)
                self.live.setdefault(event["t"], {})[task] = event
            elif task == 0 and self.progress is not None and kind in ("phase", "seed") and event.get("phase") != "load":
                self.progress(event)

    def _show(self, flush: bool) -> None:
        """Progress for every second all running tasks have reported (all of them at the end)."""
        running = {p.task for p in self.parts if p.error is None}
        for t in sorted(self.live):
            reported = self.live[t]
            if not flush and not running <= reported.keys():
                break
            rows = list(reported.values())
            histograms = [self.parts[task].seconds.get(t) for task in reported]
            row = merge_second(t, rows, histograms)
            del self.live[t]
            if self.progress is not None and t > self.shown_up_to:
                self.progress({"type": "tick", **row, **merged_tick_histograms(histograms)})
                self.shown_up_to = t


def _message_line(error: BaseException) -> str:
    """The error's message: the last line of its text (a remote traceback ends with it)."""
    text = str(error).strip()
    return text.splitlines()[-1] if text else type(error).__name__
