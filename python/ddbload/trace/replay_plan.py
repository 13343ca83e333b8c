"""A trace made ready to replay: its calls read and checked, windowed, sent to the rehearsal's tables,
their keys typed by each table's key schema (hashed or multiplied when asked), sorted by time on disk
(CloudTrail's files are not in time order) into the spool the engine reads, and the workload naming
the tables and operations. Memory does not grow with the trace's length."""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import json
import random
import secrets
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from .read import BadRecord, Call, Skipped, calls

# The calls on one item that are replayed, and the workload operation each becomes.
REPLAYED = {"GetItem": "get", "PutItem": "put", "UpdateItem": "update", "DeleteItem": "delete"}
# The calls of several items that are replayed as one request of their kind, each member on its key.
MULTI = frozenset({"TransactWriteItems", "TransactGetItems", "BatchGetItem"})
# A TransactWriteItems member's logged operation, and the transaction action it becomes.
TRANSACT_ACTIONS = {"Put": "put", "Update": "update", "Delete": "delete", "ConditionCheck": "check"}
# What is replayed, for the notes and the help.
REPLAYED_NAMES = "GetItem, PutItem, UpdateItem, DeleteItem, TransactWriteItems, TransactGetItems and BatchGetItem"
# A ConditionCheck's condition is logged without its values: replayed as a check that always holds
# (the same capacity and the same conflicts with other transactions, never a cancellation).
_ALWAYS = {"condition": "attribute_not_exists(#ddbload_never)", "names": {"#ddbload_never": "ddbload_never_set"}}
# Calls sorted in memory at once before they go to a sorted run on disk.
CHUNK_CALLS = 200_000
# Keys put a second by --seed-keys.
SEED_RATE = 2000
# A key per table for the workload file to compile (a table needs keys to draw from); never sent.
_PLACEHOLDER: dict[str, Any] = {"S": "k", "N": 1, "B": "AA=="}


@dataclass(frozen=True)
class TableShape:
    """What the replay needs of a rehearsal table: its key schema (CloudTrail logs keys untyped; the
    types come from here) and the generators of its items' other attributes (empty: the key alone)."""

    name: str
    partition: dict[str, str]  # {"name": ..., "type": "S" | "N" | "B"}
    sort: dict[str, str] | None
    item: dict[str, Any]
    billing: Any = None
    indexes: list[dict[str, Any]] = field(default_factory=list)

    def key_names(self) -> list[str]:
        return [self.partition["name"], *([self.sort["name"]] if self.sort else [])]


@dataclass(frozen=True)
class Signature:
    """One workload operation of a replay: the trace's operation and its members' (rehearsal table,
    action) in request order; a single-item call has one member whose action is ""."""

    operation: str
    members: tuple[tuple[str, str], ...]

    @property
    def multi(self) -> bool:
        return self.operation in MULTI

    @property
    def name(self) -> str:
        """The operation's name in the workload and the result ("GetItem Products", "TransactWriteItems
        Put Orders, Update Products", "BatchGetItem Products x3")."""
        if self.operation == "BatchGetItem":
            return f"BatchGetItem {self.members[0][0]} x{len(self.members)}"
        if not self.multi:
            return f"{self.operation} {self.members[0][0]}"
        return f"{self.operation} " + ", ".join(f"{action} {table}" for table, action in self.members)

    def writes(self) -> set[str]:
        """The tables this operation puts or updates items of (their items need generated attributes)."""
        if self.multi:
            return {table for table, action in self.members if action in ("Put", "Update")}
        return {self.members[0][0]} if self.operation in ("PutItem", "UpdateItem") else set()

    def seeded(self) -> list[bool]:
        """For each member: whether --seed-keys writes its key first (every key not put by its call)."""
        if self.multi:
            return [action != "Put" for _, action in self.members]
        return [self.operation != "PutItem"]


@dataclass
class ReplayOptions:
    tables_map: dict[str, str] = field(default_factory=dict)  # trace table -> rehearsal table
    start: int | None = None  # Unix seconds; calls before are left out
    end: int | None = None  # Unix seconds; calls at or after are left out
    hash_keys: bool = False
    scale_keys: int = 1
    skip_bad: bool = False
    seed: int = 0
    seed_keys: bool = False  # also write a spool that puts each key the trace reads or changes first


@dataclass
class KeySeeding:
    """--seed-keys: every key whose first call in the trace is not a PutItem, put before the replay at
    SEED_RATE a second (a spool and workload of its own)."""

    spool: Path
    workload: dict[str, Any]
    per_second: list[int]

    @property
    def keys(self) -> int:
        return sum(self.per_second)


@dataclass
class PreparedReplay:
    spool: Path
    workload: dict[str, Any]
    first_second: int = 0
    per_second: list[int] = field(default_factory=list)  # calls replayed in each trace second
    operations: Counter[str] = field(default_factory=Counter)  # by the workload operation's name
    written: set[str] = field(default_factory=set)  # tables the replay puts or updates items of
    not_replayed: Counter[str] = field(default_factory=Counter)  # by operation
    outside_window: int = 0
    bad: list[str] = field(default_factory=list)  # the first few bad records' lines (--skip-bad)
    bad_count: int = 0
    skipped: Skipped = field(default_factory=Skipped)
    seeding: KeySeeding | None = None

    @property
    def calls(self) -> int:
        return sum(self.per_second)

    @property
    def span_s(self) -> int:
        return len(self.per_second)


def prepare(
    files: list[Path],
    options: ReplayOptions,
    shape_of: Callable[[str], TableShape],
    folder: Path,
    progress: Callable[[int], None] = lambda n: None,
) -> PreparedReplay:
    """Reads `files` in order into a sorted spool in `folder`; `shape_of(table)` gives a rehearsal
    table's shape (its own exception stops the reading). A bad record raises BadRecord unless `skip_bad`."""
    builder = _Builder(options, shape_of)
    runs: list[Path] = []
    chunk: list[tuple[int, str]] = []
    done = 0
    for path in files:

        def file_progress(n: int, base: int = done) -> None:
            progress(base + n)

        for item in _calls_of(path, builder.prepared.skipped, file_progress):
            try:
                line = builder.line(item)
            except BadRecord as e:
                located = e if isinstance(item, BadRecord) else BadRecord(f"{item.where}: {e}")
                builder.bad(located, options.skip_bad)
                continue
            if line is not None:
                chunk.append(line)
            if len(chunk) >= CHUNK_CALLS:
                runs.append(_sorted_run(chunk, folder, len(runs)))
                chunk = []
        done += path.stat().st_size
    runs.append(_sorted_run(chunk, folder, len(runs)))
    builder.merge(runs, folder / "replay.spool")
    return builder.prepared


def _calls_of(path: Path, skipped: Skipped, progress: Callable[[int], None]) -> Iterator[Call | BadRecord]:
    """The file's calls, a BadRecord for each bad one and for a file that cannot be read to its end."""
    try:
        yield from calls(path, skipped, progress)
    except BadRecord as e:
        yield e


class _Builder:
    def __init__(self, options: ReplayOptions, shape_of: Callable[[str], TableShape]) -> None:
        self.options = options
        self.shape_of = shape_of
        self.shapes: dict[str, TableShape] = {}
        self.op_index: dict[Signature, int] = {}
        self.secret = secrets.token_bytes(32)
        self.rng = random.Random(options.seed)
        self.prepared = PreparedReplay(spool=Path(), workload={})

    def bad(self, error: BadRecord, skip: bool) -> None:
        if not skip:
            raise error
        self.prepared.bad_count += 1
        if len(self.prepared.bad) < 20:
            self.prepared.bad.append(str(error))

    def line(self, item: Call | BadRecord) -> tuple[int, str] | None:
        """(second, spool line without its second) of a call to replay; None for one left out."""
        if isinstance(item, BadRecord):
            raise item
        call, options = item, self.options
        if (options.start is not None and call.second < options.start) or (
            options.end is not None and call.second >= options.end
        ):
            self.prepared.outside_window += 1
            return None
        members: list[tuple[str, str, str | None]]
        if call.operation in REPLAYED:
            members = [(call.keys[0][0], "", call.keys[0][1])]
        elif call.operation in MULTI and self._replayable(call):
            members = list(call.members)
        else:
            self.prepared.not_replayed[call.operation] += 1
            return None
        typed, shape_of_call = [], []
        for number, (source_table, action, member_key) in enumerate(members, 1):
            if member_key is None:
                raise BadRecord(f"{call.operation}'s member {number} on {source_table} has no key")
            table = self._target(source_table)
            typed.append(self._typed_key(self._shape(table), json.loads(member_key), source_table))
            shape_of_call.append((table, action))
        signature = Signature(call.operation, tuple(shape_of_call))
        index = self.op_index.setdefault(signature, len(self.op_index))
        self.prepared.operations[signature.name] += 1
        self.prepared.written |= signature.writes()
        keys: Any = typed if signature.multi else typed[0]
        return call.second, f"{index}\t{_key_text(keys)}"

    def _replayable(self, call: Call) -> bool:
        """A batch or transaction whose members the trace lists, each an action the replay can send,
        within the request's limits; a CSV row (one key) or a multi-table BatchGetItem is not."""
        if not call.members or len(call.members) > 100:
            return False
        if call.operation == "BatchGetItem":
            return len({table for table, _, _ in call.members}) == 1
        if call.operation == "TransactGetItems":
            return all(action in ("", "Get") for _, action, _ in call.members)
        return all(action in TRANSACT_ACTIONS for _, action, _ in call.members)

    def _target(self, table: str) -> str:
        if not self.options.tables_map:
            return table
        target = self.options.tables_map.get(table)
        if target is None:
            known = ", ".join(sorted(self.options.tables_map))
            raise BadRecord(f"table {table!r} is not in --tables-map (it maps {known})")
        return target

    def _shape(self, table: str) -> TableShape:
        shape = self.shapes.get(table)
        if shape is None:
            shape = self.shapes[table] = self.shape_of(table)
        return shape

    def _typed_key(self, shape: TableShape, key: dict[str, Any], source: str) -> dict[str, dict[str, str]]:
        names = shape.key_names()
        if sorted(key) != sorted(names):
            raise BadRecord(
                f"key {json.dumps(key)} on {source} does not have {shape.name}'s key attributes ({', '.join(names)})"
            )
        typed: dict[str, dict[str, str]] = {}
        for attribute in (shape.partition, shape.sort):
            if attribute is None:
                continue
            name, kind = attribute["name"], attribute["type"]
            value = str(key[name])
            if kind == "N":
                try:
                    Decimal(value)
                except InvalidOperation:
                    raise BadRecord(
                        f"key {name}={value!r} on {source} is not a number ({shape.name}'s {name} is N)"
                    ) from None
            if self.options.hash_keys:
                value = self._hashed(f"{shape.name}\0{name}\0{kind}\0{value}", kind)
            if attribute is shape.partition and self.options.scale_keys > 1:
                value = self._scaled(value, kind, self.rng.randrange(self.options.scale_keys))
            typed[name] = {kind: value}
        return typed

    def _hashed(self, text: str, kind: str) -> str:
        """A keyed hash of the key value, of the same type: the same value always gives the same hash
        within one replay, and nothing of the value can be read back."""
        digest = hmac.new(self.secret, text.encode(), hashlib.sha256).digest()
        if kind == "N":
            return str(int.from_bytes(digest[:6], "big"))
        if kind == "B":
            return base64.b64encode(digest[:16]).decode()
        return "h" + digest[:12].hex()

    def _scaled(self, value: str, kind: str, k: int) -> str:
        """The k-th of the K keys one trace key becomes."""
        if kind == "N":
            return str(Decimal(value) * self.options.scale_keys + k)
        if kind == "B":
            return base64.b64encode(base64.b64decode(value) + k.to_bytes(4, "big")).decode()
        return f"{value}#{k}"

    def merge(self, runs: list[Path], spool: Path) -> None:
        """Merges the sorted runs into the spool (seconds from the first call), counting each second."""
        prepared = self.prepared
        prepared.spool = spool
        files = [run.open(encoding="utf-8") for run in runs]
        seeds = _Seeds(self.op_index, spool.with_name("seed.spool")) if self.options.seed_keys else None
        try:
            merged = heapq.merge(*(_run_lines(f) for f in files), key=lambda entry: entry[0])
            with spool.open("w", encoding="utf-8") as out:
                first: int | None = None
                for second, rest in merged:
                    if first is None:
                        first = prepared.first_second = second
                    offset = second - first
                    while len(prepared.per_second) <= offset:
                        prepared.per_second.append(0)
                    prepared.per_second[offset] += 1
                    out.write(f"{offset}\t{rest}")
                    if seeds is not None:
                        seeds.see(rest)
            if seeds is not None:
                seeds.finish()
        finally:
            if seeds is not None:
                seeds.discard()
            for f in files:
                f.close()
            for run in runs:
                run.unlink(missing_ok=True)
        prepared.workload = self._workload()
        if seeds is not None:
            puts = [{"name": f"seed {table}", "put": {"table": table}} for table in seeds.tables]
            workload = {"version": 1, "tables": prepared.workload["tables"], "operations": puts}
            prepared.seeding = KeySeeding(seeds.path, workload, seeds.per_second)

    def _workload(self) -> dict[str, Any]:
        """The workload of the rehearsal tables and one operation per (table, call) in the trace. Each
        table lists one key so that the file compiles; replayed calls never draw keys."""
        tables: dict[str, Any] = {}
        for name, shape in self.shapes.items():
            entry: dict[str, Any] = {"table": name, "partition_key": shape.partition}
            if shape.sort:
                entry["sort_key"] = shape.sort
            if shape.indexes:
                entry["indexes"] = shape.indexes
            if shape.billing is not None:
                entry["billing"] = shape.billing
            if shape.item:
                entry["item"] = shape.item
            entry["keys"] = [{a["name"]: _PLACEHOLDER[a["type"]] for a in (shape.partition, shape.sort) if a}]
            tables[name] = entry
        operations = [
            {"name": signature.name, **self._operation(signature)}
            for signature, _ in sorted(self.op_index.items(), key=lambda item: item[1])
        ]
        return {"version": 1, "tables": tables, "operations": operations}

    def _operation(self, signature: Signature) -> dict[str, Any]:
        """The workload operation a signature's calls are sent as (keys come from the spool)."""
        if signature.operation == "BatchGetItem":
            return {"batch_get": {"table": signature.members[0][0], "count": len(signature.members)}}
        if signature.operation == "TransactGetItems":
            return {"transact_get": [{"get": {"table": table}} for table, _ in signature.members]}
        if signature.operation == "TransactWriteItems":
            actions = []
            for table, action in signature.members:
                kind = TRANSACT_ACTIONS[action]
                actions.append({kind: self._body(table, kind)})
            return {"transact": actions}
        table = signature.members[0][0]
        kind = REPLAYED[signature.operation]
        return {kind: self._body(table, kind)}

    def _body(self, table: str, kind: str) -> dict[str, Any]:
        body: dict[str, Any] = {"table": table}
        if kind == "update":
            # UpdateItem's values are not in the trace: the table's generators, or a replay stamp.
            body["set"] = self.shapes[table].item or {"ddbload_replayed_at": {"now": {}}}
        if kind == "check":
            body.update(_ALWAYS)
        return body


class _Seeds:
    """The seeding spool: each key the replay reads, updates, deletes or checks before any call puts it.
    Every sighting of a key (table, key, position in the replay, whether that call puts it) goes to runs
    sorted on disk, CHUNK_CALLS at a time, so memory does not grow with the trace's distinct keys; the
    runs merged, a key's first sighting decides. Keys are seeded in key order, before the replay."""

    def __init__(self, op_index: dict[Signature, int], path: Path) -> None:
        self.op = {index: signature for signature, index in op_index.items()}
        self.tables: list[str] = list(dict.fromkeys(table for s in op_index for table, _ in s.members))
        self.path = path
        self.chunk: list[tuple[int, str, int, bool]] = []
        self.runs: list[Path] = []
        self.position = 0
        self.per_second: list[int] = []

    def see(self, rest: str) -> None:
        op, _, keys = rest.partition("\t")
        signature = self.op[int(op)]
        if not signature.multi:
            self._see(signature.members[0][0], keys.rstrip("\n"), signature.seeded()[0])
            return
        for (table, _), key, seeded in zip(signature.members, json.loads(keys), signature.seeded()):
            self._see(table, _key_text(key), seeded)

    def _see(self, table: str, key: str, seeded: bool) -> None:
        self.chunk.append((self.tables.index(table), key, self.position, seeded))
        self.position += 1
        if len(self.chunk) >= CHUNK_CALLS:
            self._flush()

    def _flush(self) -> None:
        self.chunk.sort()
        path = self.path.with_name(f"seed-run-{len(self.runs):05d}")
        with path.open("w", encoding="utf-8") as out:
            for table, key, position, seeded in self.chunk:
                out.write(f"{table}\t{key}\t{position}\t{int(seeded)}\n")
        self.runs.append(path)
        self.chunk = []

    def finish(self) -> None:
        """Writes the seeding spool: the runs merged, each key once, SEED_RATE keys a second."""
        self._flush()
        files = [run.open(encoding="utf-8") for run in self.runs]
        try:
            last: tuple[int, str] | None = None
            count = 0
            with self.path.open("w", encoding="utf-8") as out:
                for table, key, _, seeded in heapq.merge(*(_sightings(f) for f in files)):
                    if (table, key) == last:
                        continue
                    last = (table, key)
                    if not seeded:
                        continue
                    if count % SEED_RATE == 0:
                        self.per_second.append(0)
                    self.per_second[-1] += 1
                    out.write(f"{count // SEED_RATE}\t{table}\t{key}\n")
                    count += 1
        finally:
            for f in files:
                f.close()
            self.discard()

    def discard(self) -> None:
        for run in self.runs:
            run.unlink(missing_ok=True)


def _sightings(run: IO[str]) -> Iterator[tuple[int, str, int, bool]]:
    for line in run:
        table, key, position, seeded = line.rstrip("\n").split("\t")
        yield int(table), key, int(position), seeded == "1"


def _key_text(keys: Any) -> str:
    """A key (or a call's list of keys) as the spool writes it: one text per key, so that the seeding
    sees a transaction member's key as the same key as a single-item call's."""
    return json.dumps(keys, separators=(",", ":"), sort_keys=True)


def _sorted_run(chunk: list[tuple[int, str]], folder: Path, number: int) -> Path:
    """The chunk sorted by second (stable: a second's calls keep the trace's order) in a file."""
    chunk.sort(key=lambda entry: entry[0])
    path = folder / f"run-{number:05d}"
    with path.open("w", encoding="utf-8") as out:
        for second, rest in chunk:
            out.write(f"{second}\t{rest}\n")
    return path


def _run_lines(run: IO[str]) -> Iterator[tuple[int, str]]:
    for line in run:
        second, _, rest = line.partition("\t")
        yield int(second), rest


def spool_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="ddbload-replay-")
