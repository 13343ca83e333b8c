"""`ddbload workload init`: a runnable workload file drafted from tables' key schemas, indexes and a sample
of their items. Only keys (and index key values, which queries need) are copied; every other attribute
is a generator of the sampled shape."""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from typing import Any

import yaml

# Index key values a query draws from: at most this many distinct ones are written to the file.
MAX_CHOICES = 50
# Significant digits rust_decimal holds.
MAX_DIGITS = 28
# Maps and lists are followed this deep; deeper values become strings of their sampled length.
MAX_DEPTH = 3


def draft(samples: Sequence[dict[str, Any]], sample_size: int) -> str:
    """The workload file's text for the sampled tables (each as `_engine.sample_table` returns it)."""
    tables: dict[str, Any] = {}
    operations: list[dict[str, Any]] = []
    notes: list[str] = []
    for sample in samples:
        name = sample["table"]
        tables[name], table_ops, table_notes = _table(sample)
        operations.extend(table_ops)
        notes.extend(f"{name}: {note}" for note in table_notes)
    header = [
        f"# Drafted by `ddbload workload init` from {', '.join(s['table'] for s in samples)}",
        f"# ({sample_size} items sampled per table) on {time.strftime('%Y-%m-%d')}.",
        "# Only key values are copied from the tables (and the values of index keys, which queries draw",
        "# from); every other attribute is generated to the sampled shape, never copied.",
        "# Edit the weights to your traffic; run with: ddbload run --workload THIS_FILE --rate N --minutes M",
        *(f"# Note - {note}" for note in notes),
        "version: 1",
    ]
    body = str(yaml.safe_dump({"tables": tables, "operations": operations}, sort_keys=False, width=110))
    return "\n".join(header) + "\n" + body


def _table(sample: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    partition, sort = sample["partition_key"], sample.get("sort_key")
    key_names = {partition["name"], *([sort["name"]] if sort else [])}
    items = [_plain(item) for item in sample["items"]]
    table: dict[str, Any] = {"partition_key": partition, **({"sort_key": sort} if sort else {})}
    if sample["indexes"]:
        table["indexes"] = [index_spec(index) for index in sample["indexes"]]
    table["billing"] = sample["billing"]
    notes = []
    keys = [{k: _key_value(item[k]) for k in key_names} for item in items if key_names <= item.keys()]
    if keys:
        table["keys"] = keys
    else:
        table["items"] = 100
        notes.append("the sample held no items: 100 items of the drafted shape are seeded")
    generators = _attributes(sample, items, key_names)
    if generators:
        table["item"] = generators
    operations, query_notes = _operations(sample, items)
    return table, operations, notes + query_notes


def item_generators(sample: dict[str, Any]) -> dict[str, Any]:
    """Generators of the sampled items' attributes other than the key, to their shape (empty without
    items): what `ddbload replay --items-from-table` writes beside a trace's keys."""
    partition, sort = sample["partition_key"], sample.get("sort_key")
    key_names = {partition["name"], *([sort["name"]] if sort else [])}
    items = [_plain(item) for item in sample["items"]]
    return _attributes(sample, items, key_names) if items else {}


def index_spec(index: dict[str, Any]) -> dict[str, Any]:
    """A table's index as a workload file lists it (name, keys, local)."""
    entry = {"name": index["name"]}
    entry.update({part: index[part] for part in ("partition_key", "sort_key") if index.get(part)})
    return {**entry, "local": True} if index.get("local") else entry


def _attributes(sample: dict[str, Any], items: list[dict[str, Any]], key_names: set[str]) -> dict[str, Any]:
    """A generator per non-key attribute: TTL as now + its sampled offset, index keys as a choice of
    their sampled values (so new items land in the index partitions queries read), the rest by shape."""
    index_keys = {
        key["name"]
        for index in sample["indexes"]
        for key in (index.get("partition_key"), index.get("sort_key"))
        if key and key["name"] not in key_names
    }
    generators: dict[str, Any] = {}
    for attribute in sorted({a for item in items for a in item} - key_names):
        values = [item[attribute] for item in items if attribute in item]
        if attribute == sample.get("ttl_attribute"):
            generators[attribute] = {"now": {"plus_seconds": _ttl_offset(values)}}
        elif attribute in index_keys:
            generators[attribute] = _choice(values) or _generator(values, 0)
        else:
            generators[attribute] = _generator(values, 0)
    return generators


def _operations(sample: dict[str, Any], items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """GetItem by a sampled key, a Query per index, PutItem of a new item; weights for the user to edit."""
    name, partition = sample["table"], sample["partition_key"]
    operations: list[dict[str, Any]] = [{"name": f"get_{name}", "weight": 60, "get": {"table": name}}]
    notes = []
    for index in sample["indexes"]:
        query: dict[str, Any] = {"table": name, "index": index["name"]}
        if not index.get("local"):
            key = index["partition_key"]["name"]
            values = _choice([item[key] for item in items if key in item])
            if values is None:
                notes.append(f"index {index['name']}: no sampled S or N values of {key} to query by; no query drafted")
                continue
            query["partition"] = values
        operations.append({"name": f"query_{name}_{index['name']}", "weight": 10, "query": query})
    put = {"table": name, "condition": "attribute_not_exists(#pk)", "names": {"#pk": partition["name"]}}
    operations.append({"name": f"put_{name}", "weight": 20, "put": put})
    return operations, notes


def _plain(item: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """A DynamoDB JSON item as {attribute: (type, value)}."""
    return {name: next(iter(typed.items())) for name, typed in item.items()}


def _key_value(typed: tuple[str, Any]) -> str | int:
    kind, value = typed
    if kind == "N":
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() and abs(number) < 2**63 else str(number)
    return str(value)


def _choice(values: Iterable[tuple[str, Any]]) -> dict[str, Any] | None:
    """A choice of the most frequent sampled S or N values (B values cannot be written as a choice)."""
    counted = Counter((kind, value) for kind, value in values if kind in ("S", "N"))
    if not counted:
        return None
    return {"choice": [_scalar(kind, value) for (kind, value), _ in counted.most_common(MAX_CHOICES)]}


def _scalar(kind: str, value: str) -> str | int:
    if kind == "S":
        return value
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() and abs(number) < 2**63 else f"n:{number}"


def _ttl_offset(values: list[tuple[str, Any]]) -> int:
    """Seconds ahead of now the sampled TTLs sit (their median), or a day when they are all past."""
    now = time.time()
    ahead = sorted(float(value) - now for kind, value in values if kind == "N")
    median = ahead[len(ahead) // 2] if ahead else 0
    return int(median) if median > 0 else 86_400


def _lengths(sizes: Iterable[int]) -> int | list[int]:
    sizes = list(sizes)
    low, high = min(sizes), max(sizes)
    return low if low == high else [low, high]


def _generator(values: list[tuple[str, Any]], depth: int) -> dict[str, Any]:
    """A generator of the values' most common type and their sampled range, lengths and scale."""
    kind = Counter(k for k, _ in values).most_common(1)[0][0]
    same = [v for k, v in values if k == kind]
    if kind == "S":
        return {"string": {"length": _lengths(len(v) for v in same)}}
    if kind == "B":
        return {"bytes": {"length": _lengths(len(base64.b64decode(v)) for v in same)}}
    if kind == "N":
        return _number([Decimal(v) for v in same])
    if kind == "BOOL":
        return {"bool": {}}
    if kind in ("SS", "NS", "BS"):
        element = {"SS": "S", "NS": "N", "BS": "B"}[kind]
        members = [(element, m) for v in same for m in v]
        return {"set": {"of": _generator(members, depth + 1), "length": _lengths(max(1, len(v)) for v in same)}}
    if kind == "L" and depth < MAX_DEPTH:
        elements = [next(iter(e.items())) for v in same for e in v]
        of = _generator(elements, depth + 1) if elements else {"string": {"length": 8}}
        return {"list": {"of": of, "length": _lengths(len(v) for v in same)}}
    if kind == "M" and depth < MAX_DEPTH:
        fields = sorted({f for v in same for f in v})
        return {"map": {f: _generator([next(iter(v[f].items())) for v in same if f in v], depth + 1) for f in fields}}
    # NULL, or a list/map deeper than MAX_DEPTH: a string as long as its JSON.
    return {"string": {"length": _lengths(len(json.dumps(v)) for v in same)}}


def _number(numbers: list[Decimal]) -> dict[str, Any]:
    """An int range, or a decimal range at the sample's largest scale. ddbload's exact decimals hold 28
    digits: wider bounds are widened outward to 28 digits (the draft's shape, not a copied value)."""
    low, high = min(numbers), max(numbers)
    scale = max(-int(n.as_tuple().exponent) for n in numbers)
    if scale <= 0 and abs(low) < 2**63 and abs(high) < 2**63:
        return {"int": {"min": int(low), "max": int(high)}}
    with localcontext() as context:
        context.prec = 200  # DynamoDB numbers have up to 38 digits and exponents to 125
        limit = Decimal(10) ** MAX_DIGITS - 1
        low, high = max(low, -limit), min(high, limit)
        whole = max(len(str(abs(int(n)))) for n in (low, high))
        scale = max(0, min(scale, MAX_DIGITS - whole))
        quantum = Decimal(1).scaleb(-scale)
        bounds = (low.quantize(quantum, rounding=ROUND_FLOOR), high.quantize(quantum, rounding=ROUND_CEILING))
    return {"decimal": {"min": str(bounds[0]), "max": str(bounds[1])}}
