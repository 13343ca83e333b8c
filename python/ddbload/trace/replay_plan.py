"""A trace made ready to replay: its calls read and checked, windowed, sent to the rehearsal's tables,
their keys typed by each table's key schema (hashed or multiplied when asked), sorted by time on disk
(CloudTrail's files are not in time order) into the spool the engine reads, and the workload naming
the tables and operations. Memory does not grow with the trace's length."""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
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

from .partiql import Statement
from .read import BadRecord, Call, Skipped, calls

# The calls of one request on one table that are replayed, and the workload operation each becomes.
REPLAYED = {"GetItem": "get", "PutItem": "put", "UpdateItem": "update", "DeleteItem": "delete", "Query": "query",
            "Scan": "scan"}  # fmt: skip
# The calls of several items that are replayed as one request of their kind, each member on its key.
MULTI = {"TransactWriteItems": "transact", "TransactGetItems": "transact_get", "BatchGetItem": "batch_get",
         "BatchWriteItem": "batch_write"}  # fmt: skip
# A TransactWriteItems member's logged operation, and the transaction action it becomes.
TRANSACT_ACTIONS = {"Put": "put", "Update": "update", "Delete": "delete", "ConditionCheck": "check"}
# The request each workload operation kind is sent as (a PartiQL call is sent as its classic equivalent).
SENT_AS = {"get": "GetItem", "put": "PutItem", "update": "UpdateItem", "delete": "DeleteItem", "query": "Query",
           "scan": "Scan", "batch_get": "BatchGetItem", "batch_write": "BatchWriteItem",
           "transact": "TransactWriteItems", "transact_get": "TransactGetItems"}  # fmt: skip
# A PartiQL INSERT's key is redacted in CloudTrail: it is replayed as a put of a new key of this form.
NEW_KEY_PREFIX = "ddbload-insert-"
NEW_KEY_NUMBER = 8_000_000_000_000_000_000
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
    """One workload operation of a replay: the trace's operation, the request kind it is sent as, and its
    members' (rehearsal table, logged label, action) in request order. A classic single-table call has
    one member labelled ""; a PartiQL statement's label is its verb. `options` are a Query's or Scan's."""

    operation: str
    kind: str  # a key of SENT_AS
    members: tuple[tuple[str, str, str], ...]
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def multi(self) -> bool:
        return self.kind in ("batch_get", "batch_write", "transact", "transact_get")

    @property
    def name(self) -> str:
        """The operation's name in the workload and the result ("GetItem Products", "TransactWriteItems
        Put Orders, Update Products", "BatchGetItem Products x3", "Scan Orders limit 100",
        "ExecuteStatement SELECT Products as GetItem")."""
        table = self.members[0][0]
        if self.operation in ("BatchGetItem", "BatchWriteItem", "BatchExecuteStatement"):
            groups = itertools.groupby(self.members, key=lambda member: (member[1], member[0]))
            name = f"{self.operation} " + ", ".join(
                f"{label + ' ' if label else ''}{table} x{len(list(group))}" for (label, table), group in groups
            )
        elif self.multi or self.operation in PARTIQL:
            name = f"{self.operation} " + ", ".join(f"{label} {table}" for table, label, _ in self.members)
        else:
            name = f"{self.operation} {table}"
        name += "".join(f" {_OPTION_WORDS[option](value)}" for option, value in self.options)
        return f"{name} as {SENT_AS[self.kind]}" if self.operation in PARTIQL else name

    def writes(self) -> set[str]:
        """The tables this operation puts or updates items of (their items need generated attributes)."""
        return {table for table, _, action in self.members if action in ("put", "update")}

    def seeded(self) -> list[bool]:
        """For each member: whether --seed-keys writes its key first (every item key not put by its call;
        a Query's partition and a Scan name no item)."""
        return [action not in ("put", "query", "scan") for _, _, action in self.members]


PARTIQL = frozenset({"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})
_OPTION_WORDS: dict[str, Callable[[Any], str]] = {
    "limit": lambda n: f"limit {n}", "consistent": lambda _: "consistent", "segments": lambda n: f"{n} segments",
    "index": lambda name: f"index {name}", "consistent_tables": lambda tables: "consistent " + ", ".join(tables),
}  # fmt: skip
# The logged options a read sent as each kind keeps, and the workload file's word for each.
READ_OPTIONS = {"get": ("consistent",), "query": ("limit", "consistent"),
                "scan": ("limit", "consistent", "segments", "index")}  # fmt: skip
_OPTION_FIELDS = {"limit": "limit", "consistent": "consistent_read", "segments": "segments", "index": "index"}


class NotReplayed(Exception):
    """A call the replay cannot send: counted under its reason, never sent in another form."""


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
        self.numbered = 0  # calls that name no item (a Scan's) and INSERTs' new keys, numbered
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
        try:
            signature, typed = self._request(call)
        except NotReplayed as e:
            self.prepared.not_replayed[f"{call.operation} ({e})" if str(e) else call.operation] += 1
            return None
        index = self.op_index.setdefault(signature, len(self.op_index))
        self.prepared.operations[signature.name] += 1
        self.prepared.written |= signature.writes()
        keys: Any = typed if signature.multi else typed[0]
        return call.second, f"{index}\t{_key_text(keys)}"

    def _request(self, call: Call) -> tuple[Signature, list[dict[str, Any]]]:
        """What a call is sent as, and the key of each of its members (a Query's: its partition)."""
        if call.operation in PARTIQL:
            return self._statements(call)
        if call.operation in MULTI:
            return self._members(call)
        if call.operation not in REPLAYED:
            raise NotReplayed("")
        kind, source = REPLAYED[call.operation], call.tables[0]
        index = dict(call.options).get("index")
        if index is not None and kind == "query":
            raise NotReplayed("on an index")  # its partition is an attribute CloudTrail does not log
        table = self._target(source)
        shape = self._shape(table)
        if index is not None and index not in {i["name"] for i in shape.indexes}:
            raise NotReplayed(f"of index {index}, which {table} does not have")
        if kind == "scan":
            key = self._numbered()
        elif not call.keys:
            raise NotReplayed("its key's value is not in the record")
        else:
            key = self._typed_key(shape, json.loads(call.keys[0][1]), source, kind == "query")
        return Signature(call.operation, kind, ((table, "", kind),), call.options), [key]

    def _members(self, call: Call) -> tuple[Signature, list[dict[str, Any]]]:
        """A batch or transaction whose members the trace lists, each an action the replay can send,
        within the request's limits; a CSV row (one key), a BatchWriteItem of several tables or mixing
        puts and deletes, or a batch naming a key twice is not."""
        operation = call.operation
        _check_members(call)
        members, typed = [], []
        for number, (source, label, member_key) in enumerate(call.members, 1):
            action = _member_action(operation, label)
            if action is None:
                raise NotReplayed(f"a member's operation {label!r}" if label else "a member's operation not logged")
            if member_key is None and operation == "BatchWriteItem":
                raise NotReplayed("a member's key is not in the record")
            if member_key is None:
                raise BadRecord(f"{operation}'s member {number} on {source} has no key")
            table = self._target(source)
            shape, key = self._shape(table), json.loads(member_key)
            if operation == "BatchWriteItem" and all(name in key for name in shape.key_names()):
                key = {name: key[name] for name in shape.key_names()}  # a put logged with its item
            typed.append(self._typed_key(shape, key, source))
            members.append((table, label, action))
        if operation == "BatchWriteItem" and len({action for _, _, action in members}) > 1:
            raise NotReplayed("of puts and deletes together")
        options: tuple[tuple[str, Any], ...] = ()
        if operation == "BatchGetItem":
            members, typed = _by_table(members, typed)
            consistent = dict(call.options).get("consistent_tables", ())
            if consistent:
                options = (("consistent_tables", tuple(dict.fromkeys(self._target(t) for t in consistent))),)
        if operation.startswith("Batch"):
            _refuse_a_key_twice(members, typed)
        return Signature(operation, MULTI[operation], tuple(members), options), typed

    def _statements(self, call: Call) -> tuple[Signature, list[dict[str, Any]]]:
        """A PartiQL call as its classic equivalent: a SELECT by key a GetItem, by partition a Query, by
        neither a Scan (of the table or the index it names); an UPDATE or DELETE by key an UpdateItem
        (of an item that exists, as PartiQL's UPDATE) or DeleteItem; an INSERT (its key is redacted) a
        PutItem of a new key. A batch of SELECTs by key is a BatchGetItem, of INSERTs or DELETEs of one
        table a BatchWriteItem; a transaction a TransactGetItems or TransactWriteItems."""
        if not call.statements:
            raise NotReplayed("no statement in the record")
        members, typed = [], []
        options: tuple[tuple[str, Any], ...] = ()
        for statement in call.statements:
            table, action, key, found = self._statement(statement)
            members.append((table, statement.verb if statement else "", action))
            typed.append(key)
            options += found
        kind = _statements_kind(call.operation, members)
        if kind in READ_OPTIONS:
            options = tuple((o, v) for o, v in dict(options + call.options).items() if o in READ_OPTIONS[kind])
        else:
            options = ()
        if kind in ("batch_get", "batch_write"):
            members, typed = _by_table(members, typed)
            _refuse_a_key_twice(members, typed)
        return Signature(call.operation, kind, tuple(members), options), typed

    def _statement(self, statement: Statement | None) -> tuple[str, str, dict[str, Any], tuple[tuple[str, Any], ...]]:
        """(rehearsal table, action, key, options) of one logged statement."""
        if statement is None:
            raise NotReplayed("a statement this replay cannot read")
        verb, source, where = statement.verb, statement.table, statement.equalities
        if where is None:
            raise NotReplayed(f"{verb} whose WHERE has an OR")
        table = self._target(source)
        shape = self._shape(table)
        if statement.index is not None:
            return table, "scan", self._index_scan(shape, statement), (("index", statement.index),)
        if verb == "INSERT":
            return table, "put", self._new_key(shape), ()
        names = shape.key_names()
        strangers = sorted(set(where) - set(names))
        if strangers:
            # CloudTrail writes only key attributes' values as literals: the table's key is another.
            raise BadRecord(
                f"{verb} on {source} gives {', '.join(strangers)} a logged value, so its key is not "
                f"{shape.name}'s ({', '.join(names)})"
            )
        if all(name in where for name in names):
            action = {"SELECT": "get", "UPDATE": "update", "DELETE": "delete"}[verb]
            return table, action, self._typed_key(shape, dict(where), source), ()
        if verb != "SELECT":
            raise NotReplayed(f"{verb} without its whole key")
        if shape.partition["name"] in where:
            return table, "query", self._typed_key(shape, dict(where), source, partition_only=True), ()
        if shape.partition["name"] in statement.names:
            raise NotReplayed("SELECT whose key value is not a literal")
        return table, "scan", self._numbered(), ()

    def _index_scan(self, shape: TableShape, statement: Statement) -> dict[str, Any]:
        """The spool key of a SELECT from an index that reads it whole (sent as a Scan of the index)."""
        index = next((i for i in shape.indexes if i.get("name") == statement.index), None)
        if index is None:
            raise NotReplayed(f"SELECT from index {statement.index}, which {shape.name} does not have")
        if index["partition_key"]["name"] in statement.names:
            raise NotReplayed("SELECT from an index by its partition, whose value is not logged")
        return self._numbered()

    def _numbered(self) -> dict[str, Any]:
        """The spool's key of a call that names no item (a Scan): a number, so that such calls are
        shared among the engine's threads; never sent."""
        self.numbered += 1
        return {"ddbload_call": {"N": str(self.numbered)}}

    def _new_key(self, shape: TableShape) -> dict[str, dict[str, str]]:
        """A key no trace call names, for an INSERT (which only ever creates an item)."""
        self.numbered += 1
        n = self.numbered
        values = {"S": f"{NEW_KEY_PREFIX}{n}", "N": str(NEW_KEY_NUMBER + n),
                  "B": base64.b64encode(f"{NEW_KEY_PREFIX}{n}".encode()).decode()}  # fmt: skip
        return {a["name"]: {a["type"]: values[a["type"]]} for a in (shape.partition, shape.sort) if a}

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

    def _typed_key(
        self, shape: TableShape, key: dict[str, Any], source: str, partition_only: bool = False
    ) -> dict[str, dict[str, str]]:
        """The key typed by the table's schema (a Query's: its partition alone), hashed or scaled when asked."""
        names = shape.key_names()
        if (shape.partition["name"] not in key) if partition_only else sorted(key) != sorted(names):
            raise BadRecord(
                f"key {json.dumps(key)} on {source} does not have {shape.name}'s key attributes ({', '.join(names)})"
            )
        typed: dict[str, dict[str, str]] = {}
        for attribute in (shape.partition, None if partition_only else shape.sort):
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
        kind, members = signature.kind, signature.members
        table = members[0][0]
        if kind == "batch_get":
            consistent = dict(signature.options).get("consistent_tables", ())
            parts = [
                {"table": t, "count": n, **({"consistent_read": True} if t in consistent else {})}
                for t, n in Counter(t for t, _, _ in members).items()
            ]
            return {"batch_get": parts[0] if len(parts) == 1 else parts}
        if kind == "batch_write":
            return {"batch_write": {"table": table, "count": len(members), "delete": members[0][2] == "delete"}}
        if kind == "transact_get":
            return {"transact_get": [{"get": {"table": t}} for t, _, _ in members]}
        if kind == "transact":
            return {"transact": [{action: self._body(t, action, label)} for t, label, action in members]}
        if kind in READ_OPTIONS:
            # One page a call, as the trace logs each page's request; a Query's partition is the spool's.
            return {kind: {"table": table, **{_OPTION_FIELDS[o]: value for o, value in signature.options}}}
        return {kind: self._body(table, kind, members[0][1])}

    def _body(self, table: str, kind: str, label: str) -> dict[str, Any]:
        body: dict[str, Any] = {"table": table}
        if kind == "update":
            # UpdateItem's values are not in the trace: the table's generators, or a replay stamp.
            body["set"] = self.shapes[table].item or {"ddbload_replayed_at": {"now": {}}}
        if label == "UPDATE":
            # PartiQL's UPDATE changes an item that exists; it never creates one.
            partition = self.shapes[table].partition["name"]
            body.update(condition="attribute_exists(#ddbload_key)", names={"#ddbload_key": partition})
        if kind == "check":
            body.update(_ALWAYS)
        return body


def _check_members(call: Call) -> None:
    """A batch or transaction is sent only when its record lists its members, within its limits."""
    if not call.members:
        raise NotReplayed("its members are not in the record")
    most = 25 if call.operation == "BatchWriteItem" else 100
    if len(call.members) > most:
        raise NotReplayed(f"more than {most} members")
    if call.operation == "BatchWriteItem" and len({table for table, _, _ in call.members}) > 1:
        raise NotReplayed("of several tables")


def _member_action(operation: str, label: str) -> str | None:
    """The workload action a batch's or transaction's logged member becomes (None: not one it can send)."""
    if operation == "BatchWriteItem":
        return {"Put": "put", "Delete": "delete"}.get(label)
    if operation == "TransactWriteItems":
        return TRANSACT_ACTIONS.get(label)
    return "get" if label in ("", "Get") else None


def _statements_kind(operation: str, members: list[tuple[str, str, str]]) -> str:
    """The request a PartiQL call's statements are sent as, by their actions."""
    actions = {action for _, _, action in members}
    if operation == "ExecuteStatement":
        return members[0][2]
    if len(members) > 100:
        raise NotReplayed("more than 100 statements")
    if operation == "BatchExecuteStatement":
        if actions == {"get"}:
            return "batch_get"
        if actions in ({"put"}, {"delete"}) and len({table for table, _, _ in members}) == 1:
            return "batch_write"
        raise NotReplayed("other than SELECTs by key, or INSERTs or DELETEs by key of one table")
    if actions == {"get"}:
        return "transact_get"
    if actions <= {"put", "update", "delete"}:
        return "transact"
    raise NotReplayed("other than SELECTs by key, or writes by key and INSERTs")


def _refuse_a_key_twice(members: list[tuple[str, str, str]], keys: list[dict[str, Any]]) -> None:
    """A batch naming one item twice is refused whole by DynamoDB: such a call is not sent."""
    seen = {(table, _key_text(key)) for (table, _, _), key in zip(members, keys)}
    if len(seen) < len(keys):
        raise NotReplayed("the same key twice")


def _by_table(
    members: list[tuple[str, str, str]], keys: list[dict[str, Any]]
) -> tuple[list[tuple[str, str, str]], list[dict[str, Any]]]:
    """A BatchGetItem's members (and their keys) grouped by table, tables in their first member's order:
    the request lists each table's keys together."""
    order = {table: n for n, table in enumerate(dict.fromkeys(table for table, _, _ in members))}
    pairs = sorted(zip(members, keys), key=lambda pair: order[pair[0][0]])
    return [member for member, _ in pairs], [key for _, key in pairs]


class _Seeds:
    """The seeding spool: each key the replay reads, updates, deletes or checks before any call puts it.
    Every sighting of a key (table, key, position in the replay, whether that call puts it) goes to runs
    sorted on disk, CHUNK_CALLS at a time, so memory does not grow with the trace's distinct keys; the
    runs merged, a key's first sighting decides. Keys are seeded in key order, before the replay."""

    def __init__(self, op_index: dict[Signature, int], path: Path) -> None:
        self.op = {index: signature for signature, index in op_index.items()}
        self.tables: list[str] = list(dict.fromkeys(table for s in op_index for table, _, _ in s.members))
        self.path = path
        self.chunk: list[tuple[int, str, int, bool]] = []
        self.runs: list[Path] = []
        self.position = 0
        self.per_second: list[int] = []

    def see(self, rest: str) -> None:
        op, _, keys = rest.partition("\t")
        signature = self.op[int(op)]
        # A single key is already in the spool as _key_text writes it; a list's keys are written apart.
        listed = [_key_text(key) for key in json.loads(keys)] if signature.multi else [keys.rstrip("\n")]
        for (table, _, action), key, seeded in zip(signature.members, listed, signature.seeded()):
            if action not in ("query", "scan"):  # a partition or a number, never an item's key
                self._see(table, key, seeded)

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
