"""Traces read as a stream of calls: CloudTrail data-event files as delivered to S3 (gzip'd JSON with a
`Records` array), the same records one per line (CloudTrail Lake, Athena exports), or a CSV
`time,operation,table,key` (key as DynamoDB JSON). Memory does not grow with the trace's length."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import ijson

from .partiql import NotReadable, Statement, parse

# DynamoDB's data-plane calls; anything else in a data-event record is a bad record.
OPERATIONS = frozenset(
    {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
     "TransactWriteItems", "TransactGetItems", "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"}
)  # fmt: skip
# Calls on one item: their record must name its key.
KEYED = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem"})
# PartiQL calls: their record holds statements, each naming its table (and key values as literals).
PARTIQL = frozenset({"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})
_RECORDS_DOCUMENT = re.compile(rb'^\s*\{\s*"Records"\s*:')


class BadRecord(ValueError):
    """One record that cannot be used; the message names the file and the record."""


@dataclass(frozen=True)
class Call:
    second: int  # Unix time, whole seconds (UTC)
    operation: str
    tables: tuple[str, ...]  # the table, or each table a batch or transaction touches
    keys: tuple[tuple[str, str], ...]  # (table, key as canonical JSON) of each item it names
    error: str | None  # CloudTrail's errorCode, e.g. ProvisionedThroughputExceededException
    where: str = ""  # "FILE: record N" (or "line N"), for a message about this call
    # A batch's or transaction's members in request order: (table, action, key as canonical JSON);
    # action is the member's `operation` (Put, Update, Delete, ConditionCheck, Get) or "" when not
    # logged, key None when the member names none. A PartiQL call's statements alike: action is the
    # verb (SELECT, INSERT, UPDATE, DELETE; "SELECT INDEX" from an index; "" when the statement cannot
    # be read), key the `attribute = literal` equalities of its WHERE ("{}": none; None: unknown).
    members: tuple[tuple[str, str, str | None], ...] = ()
    # Logged options: a Query's or Scan's limit, consistent, segments (TotalSegments), index; a
    # PartiQL call's limit and consistent; a BatchGetItem's consistent_tables (those read consistently).
    options: tuple[tuple[str, Any], ...] = ()
    # A PartiQL call's statements as read (None: one this reader does not understand).
    statements: tuple[Statement | None, ...] = ()


@dataclass
class Skipped:
    management: int = 0  # control-plane records (DescribeTable...) in the same files
    other_services: int = 0
    not_events: int = 0  # JSON documents that are no event (CloudTrail's digest files)


def calls(path: Path, skipped: Skipped, progress: Callable[[int], None] = lambda n: None) -> Iterator[Call | BadRecord]:
    """The calls in one trace file, in file order, with a BadRecord in place of each record that cannot be
    used (the caller decides whether to stop); `progress(bytes)` as the file is read. A file that cannot
    be read on raises BadRecord."""
    try:
        raw = path.open("rb")
    except OSError as e:
        raise BadRecord(f"{path}: cannot be read ({e.strerror or e})") from None
    with raw:
        head = raw.read(2)
        raw.seek(0)
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if head == b"\x1f\x8b" else raw  # type: ignore[assignment]
        peek = _Peek(stream, raw, progress)
        try:
            start = peek.head(4096)
            if _RECORDS_DOCUMENT.match(start):
                records: Iterator[tuple[int, Any]] = enumerate(ijson.items(peek, "Records.item", use_float=False), 1)
                yield from _from_records(path, records, skipped)
            elif start.lstrip().startswith(b"{"):
                yield from _from_records(path, _json_lines(path, peek), skipped)
            else:
                yield from _from_csv(path, peek)
        except (OSError, EOFError, gzip.BadGzipFile, ijson.JSONError, UnicodeDecodeError) as e:
            raise BadRecord(f"{path}: cannot be read to the end ({type(e).__name__}: {e})") from None


class _Peek(io.RawIOBase):
    """A readable stream whose first bytes can be looked at before parsing, reporting bytes read."""

    def __init__(self, stream: IO[bytes], raw: IO[bytes], progress: Callable[[int], None]) -> None:
        self._stream, self._raw, self._progress = stream, raw, progress
        self._buffer = b""

    def head(self, size: int) -> bytes:
        if len(self._buffer) < size:
            self._buffer += self._stream.read(size - len(self._buffer))
        return self._buffer

    def readable(self) -> bool:
        return True

    def readinto(self, into: Any) -> int:
        data = self._buffer[: len(into)]
        self._buffer = self._buffer[len(data) :]
        if len(data) < len(into):
            data += self._stream.read(len(into) - len(data))
        into[: len(data)] = data
        self._progress(self._raw.tell())
        return len(data)


def _json_lines(path: Path, stream: _Peek) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(io.BufferedReader(stream), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line, parse_float=str)
        except ValueError as e:
            yield number, BadRecord(f"{path}: line {number} is not a JSON record ({e})")


def _from_records(path: Path, records: Iterator[tuple[int, Any]], skipped: Skipped) -> Iterator[Call | BadRecord]:
    for number, record in records:
        where = f"{path}: record {number}"
        if isinstance(record, BadRecord):
            yield record
            continue
        if not isinstance(record, dict):
            yield BadRecord(f"{where} is not an object")
            continue
        if "eventName" not in record and "eventSource" not in record:
            skipped.not_events += 1  # a CloudTrail digest file, or another document beside the logs
            continue
        if record.get("eventSource") not in (None, "dynamodb.amazonaws.com"):
            skipped.other_services += 1
            continue
        if record.get("managementEvent") is True or record.get("eventCategory") == "Management":
            skipped.management += 1
            continue
        try:
            yield _call(where, record)
        except BadRecord as e:
            yield e


def _call(where: str, record: dict[str, Any]) -> Call:
    operation = record.get("eventName")
    if operation not in OPERATIONS:
        raise BadRecord(f"{where}: unknown operation {operation!r}")
    second = _second(where, record.get("eventTime"))
    params = record.get("requestParameters") or {}
    if not isinstance(params, dict):
        raise BadRecord(f"{where}: requestParameters is not an object")
    statements = tuple(_statements(params)) if operation in PARTIQL else ()
    members = [_statement_member(s) for s in statements] if operation in PARTIQL else _members(params)
    table = params.get("tableName")
    tables = tuple(dict.fromkeys([table] if table else [t for t, _, _ in members if t]))
    if not tables and operation not in PARTIQL:
        raise BadRecord(f"{where}: {operation} names no table")
    key = params.get("key")
    if operation in KEYED and not isinstance(key, dict):
        raise BadRecord(f"{where}: {operation} on {table} has no key")
    if operation == "Query" and not isinstance(key, dict):
        key = _query_key(params)
    keys: tuple[tuple[str, str], ...] = ((table, _canonical(key)),) if isinstance(key, dict) and table else ()
    listed = tuple((t, action, _canonical(k) if k is not None else None) for t, action, k in members)
    keys += tuple((t, k) for t, verb, k in listed if k not in (None, "{}") and verb != "SELECT INDEX")
    options = _options(params) if operation in ("Query", "Scan", *PARTIQL) else ()
    if operation == "BatchGetItem":
        options = _consistent_tables(params)
    return Call(second, str(operation), tables, keys, record.get("errorCode"), where, listed, options, statements)


def _statements(params: dict[str, Any]) -> list[Statement | None]:
    """A PartiQL call's statements: `statement` (ExecuteStatement), or a list of members with their
    `statement` (BatchExecuteStatement's requestItems; a transaction's); None for one not understood."""
    texts = [params["statement"]] if isinstance(params.get("statement"), str) else []
    for name in ("requestItems", "transactStatements"):
        if isinstance(params.get(name), list):
            texts += [m.get("statement") for m in params[name] if isinstance(m, dict)]
    out: list[Statement | None] = []
    for text in texts:
        try:
            out.append(parse(str(text)))
        except NotReadable:
            out.append(None)
    return out


def _statement_member(statement: Statement | None) -> tuple[str, str, dict[str, Any] | None]:
    """(table, verb, WHERE equalities) of a statement, as a member of its call."""
    if statement is None:
        return "", "", None
    return statement.table, statement.verb + (" INDEX" if statement.index else ""), statement.equalities


def _consistent_tables(params: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A BatchGetItem's tables read with ConsistentRead, as the option consistent_tables."""
    items = params.get("requestItems")
    if not isinstance(items, dict):
        return ()
    tables = tuple(t for t, part in items.items() if isinstance(part, dict) and part.get("consistentRead") is True)
    return (("consistent_tables", tables),) if tables else ()


def _query_key(params: dict[str, Any]) -> dict[str, Any] | None:
    """The `attribute = value` parts of a Query's key condition whose values its record carries
    (KeyConditionExpression with ExpressionAttributeValues, or legacy KeyConditions' EQ); None when
    it carries none, as CloudTrail's records of the classic API do not hold condition values."""
    names, values = params.get("expressionAttributeNames"), params.get("expressionAttributeValues")
    names = names if isinstance(names, dict) else {}
    found: dict[str, Any] = {}
    text = params.get("keyConditionExpression")
    if isinstance(text, str) and isinstance(values, dict):
        for part in re.split(r"(?i)\s+AND\s+", text):
            match = re.fullmatch(r"\s*\(?\s*([#\w.-]+)\s*=\s*(:[\w-]+)\s*\)?\s*", part)
            if match is None:
                continue
            name, placeholder = match.group(1), match.group(2)
            value = _plain(values.get(placeholder))
            if value is not None:
                found[str(names.get(name, name))] = value
    conditions = params.get("keyConditions")
    if isinstance(conditions, dict):
        for name, condition in conditions.items():
            if isinstance(condition, dict) and str(condition.get("comparisonOperator", "")).upper() == "EQ":
                listed = condition.get("attributeValueList")
                value = _plain(listed[0]) if isinstance(listed, list) and len(listed) == 1 else None
                if value is not None:
                    found[name] = value
    return found or None


def _plain(value: Any) -> Any:
    """A logged value untyped: {"S": "x"} (any case) or "x" as "x"; None for anything else."""
    if isinstance(value, dict) and len(value) == 1:
        ((kind, inner),) = value.items()
        return inner if str(kind).upper() in ("S", "N", "B") and isinstance(inner, (str, int, Decimal)) else None
    return value if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool) else None


def _options(params: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A Query's, Scan's or PartiQL call's logged Limit, ConsistentRead, TotalSegments and IndexName."""
    out: list[tuple[str, Any]] = []
    if _whole(params.get("limit")):
        out.append(("limit", int(params["limit"])))
    if params.get("consistentRead") is True:
        out.append(("consistent", True))
    if _whole(params.get("totalSegments")) and int(params["totalSegments"]) > 1:
        out.append(("segments", int(params["totalSegments"])))
    if isinstance(params.get("indexName"), str):
        out.append(("index", params["indexName"]))
    return tuple(out)


def _whole(value: Any) -> bool:
    """A whole number above 0 (a JSON number; never a bool)."""
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool) and value == int(value) and value > 0


def _members(params: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(table, action, key) of a batch's or transaction's items: `requestItems` as a list of members with
    their `operation` (transactions) or as {table: {keys: [...]}} / {table: [requests]} (batches; a
    BatchWriteItem's requests {putRequest|deleteRequest: {key: ...}})."""
    items = params.get("requestItems") or params.get("transactItems")
    out: list[tuple[str, str, dict[str, Any] | None]] = []
    if isinstance(items, list):
        for member in items:
            if isinstance(member, dict) and member.get("tableName"):
                key = member.get("key")
                action = member.get("operation")
                out.append((member["tableName"], action if isinstance(action, str) else "",
                            key if isinstance(key, dict) else None))  # fmt: skip
    elif isinstance(items, dict):
        for table, part in items.items():
            found = part.get("keys") if isinstance(part, dict) else part
            for entry in found if isinstance(found, list) else [None]:
                action, key = _write_request(entry) if isinstance(entry, dict) else ("", None)
                out.append((table, action, key if isinstance(key, dict) else None))
    return out


def _write_request(entry: dict[str, Any]) -> tuple[str, Any]:
    """(Put or Delete, its key) of a BatchWriteItem's request; ("", the entry's key) of a BatchGetItem's."""
    for name, action in (("putRequest", "Put"), ("deleteRequest", "Delete")):
        request = entry.get(name, entry.get(name[0].upper() + name[1:]))
        if isinstance(request, dict):
            # A delete's key, or a put's key or item (the replay keeps an item's key attributes).
            return action, next(
                (request[k] for k in ("key", "Key", "item", "Item") if isinstance(request.get(k), dict)), None
            )
    return "", entry.get("key", entry)


def _second(where: str, text: Any) -> int:
    try:
        return int(datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp())
    except ValueError:
        raise BadRecord(f"{where}: eventTime {text!r} is not an ISO 8601 time") from None


def _canonical(key: dict[str, Any]) -> str:
    """One text per key whatever the format said: numbers (JSON numbers, Decimals, N strings) as text."""
    plain = {
        name: str(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else value
        for name, value in key.items()
    }
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), default=str)


def _from_csv(path: Path, stream: _Peek) -> Iterator[Call | BadRecord]:
    text = io.TextIOWrapper(io.BufferedReader(stream), encoding="utf-8", newline="")
    rows = csv.reader(text)
    if next(rows, None) != ["time", "operation", "table", "key"]:
        raise BadRecord(f"{path}: not a trace (CloudTrail JSON, JSON lines, or a CSV with time,operation,table,key)")
    for number, row in enumerate(rows, 2):
        try:
            yield _csv_call(f"{path}: line {number}", row)
        except BadRecord as e:
            yield e


def _csv_call(where: str, row: list[str]) -> Call:
    if len(row) != 4:
        raise BadRecord(f"{where}: expected time,operation,table,key")
    time_text, operation, table, key_text = row
    if operation not in OPERATIONS:
        raise BadRecord(f"{where}: unknown operation {operation!r}")
    try:
        typed = json.loads(key_text, parse_float=str) if key_text else None
        key = {name: _untyped(value) for name, value in typed.items()} if typed else None
    except (ValueError, AttributeError, TypeError, KeyError):
        raise BadRecord(f"{where}: key {key_text!r} is not DynamoDB JSON") from None
    if operation in KEYED and not key:
        raise BadRecord(f"{where}: {operation} on {table} has no key")
    keys = ((table, _canonical(key)),) if key else ()
    return Call(_second(where, time_text), operation, (table,), keys, None, where)


def _untyped(value: dict[str, Any]) -> Any:
    """A DynamoDB JSON key value ({"S": "x"}, {"N": "5"}, {"B": "..."}) as CloudTrail logs it: untyped."""
    ((kind, inner),) = value.items()
    if kind not in ("S", "N", "B"):
        raise KeyError(kind)
    return inner
