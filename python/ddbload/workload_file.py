"""Workload files: YAML or JSON read with each value's line and column, checked against
schema/workload.schema.json and by the engine's compiler, so every mistake is one line naming the file,
line and column before anything is sent."""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from . import _engine

Path_ = tuple[str | int, ...]
Marks = dict[Path_, tuple[int, int]]

OPTION = "--workload"


# Built-in workloads, by the name `--workload` takes: the workshop (the default) and YCSB's core A-F.
WORKSHOP = "workshop"
PRESETS = (WORKSHOP, *(f"ycsb-{letter}" for letter in "abcdef"))


def workload_json(source: str | os.PathLike[str] | dict[str, Any]) -> str:
    """The workload's JSON form for the engine ("null" for the workshop), from a preset's name, a file
    path or a dict; a mistake is a ConfigError naming the file, line and column (or the JSON path)."""
    if source == WORKSHOP:
        return "null"
    if isinstance(source, str) and source in PRESETS:
        text = resources.files("ddbload").joinpath(f"workloads/{source}.json").read_text(encoding="utf-8")
        return text_json(text, f"the {source} preset")
    if isinstance(source, dict):
        return _checked(source, {}, "the workload dict")
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise _error(f"cannot read {path}: {e.strerror or e}") from None
        return text_json(text, str(path))
    raise TypeError(f"workload must be a path or a dict, not {type(source).__name__}")


def timeline_of(path: str | os.PathLike[str]) -> list[Any] | None:
    """A workload file's `timeline:` section (None without one); the file was checked already."""
    document, _ = _parse(Path(path).read_text(encoding="utf-8"), str(path))
    found = document.get("timeline") if isinstance(document, dict) else None
    return found if isinstance(found, list) else None


def text_json(text: str, where: str) -> str:
    """The JSON form of a workload file's text; `where` names it in messages."""
    document, marks = _parse(text, where)
    return _checked(document, marks, where)


def _checked(document: Any, marks: Marks, where: str) -> str:
    _refuse_floats(document, (), marks, where)
    _check_schema(document, marks, where)
    # A GameDay timeline is the command line's to carry out (cli/gameday.py); the engine never sees it.
    encoded = json.dumps({k: v for k, v in document.items() if k != "timeline"})
    try:
        _engine.check_workload(encoded)
    except ValueError as e:
        raise _error(_locate(str(e), marks, where)) from None
    return encoded


def _error(reason: str) -> Exception:
    error = _engine.ConfigError(f"{OPTION}: {reason}")
    error.option = OPTION
    error.reason = reason
    return error


def _parse(text: str, where: str) -> tuple[Any, Marks]:
    """YAML (JSON is YAML too) into plain values, with every value's line and column (1-based)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _error(f"{where} is empty")
        marks: Marks = {}
        return _value(loader, node, (), marks, where), marks
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise _error(f"{where}{at}: {e.problem or e}") from None
    finally:
        loader.dispose()


def _value(loader: yaml.SafeLoader, node: yaml.Node, path: Path_, marks: Marks, where: str) -> Any:
    """The node as plain values; `marks` gets where each path is written (a mapping entry: its key)."""
    marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise _error(f"{where}:{line}:{column}: a key must be text, not {key!r}")
            line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key in out:
                raise _error(f"{where}:{line}:{column}: {key!r} is given twice")
            marks[(*path, key)] = (line, column)
            out[key] = _value(loader, value_node, (*path, key), marks, where)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_value(loader, item, (*path, i), marks, where) for i, item in enumerate(node.value)]
    return loader.construct_object(node)


def _at(path: Path_, marks: Marks, where: str) -> str:
    """'file:line:column' of the nearest marked value on `path`, or the JSON path for a dict."""
    for end in range(len(path), -1, -1):
        if path[:end] in marks:
            line, column = marks[path[:end]]
            return f"{where}:{line}:{column}"
    return f"{where} at {_json_path(path)}"


def _json_path(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "its top"


def _refuse_floats(value: Any, path: Path_, marks: Marks, where: str) -> None:
    if isinstance(value, float):
        where_at = _at(path, marks, where)
        raise _error(f"{where_at}: {value!r} is a float; write decimals as strings ({str(value)!r}) so they stay exact")
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_floats(item, (*path, key), marks, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_floats(item, (*path, i), marks, where)


def schema() -> dict[str, Any]:
    """The published JSON Schema of workload files."""
    text = resources.files("ddbload").joinpath("schema/workload.schema.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def _check_schema(document: Any, marks: Marks, where: str) -> None:
    validator = jsonschema.Draft202012Validator(schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {})
        unknown = [k for k in error.instance if k not in allowed]
        if unknown:
            path = (*path, unknown[0])
            raise _error(f"{_at(path, marks, where)}: unknown key {unknown[0]!r}; expected one of {', '.join(allowed)}")
    raise _error(f"{_at(path, marks, where)}: {error.message}")


_ENGINE_PATH = re.compile(r"^workload((?:\.[^.\[:]+|\[\d+\])*): (.*)$", re.S)


def _locate(message: str, marks: Marks, where: str) -> str:
    """The engine's 'workload.operations[2].update: why' as 'file:line:column: why'."""
    match = _ENGINE_PATH.match(message)
    if not match:
        return f"{where}: {message}"
    path: list[str | int] = []
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", match.group(1)):
        path.append(part[0] if part[0] else int(part[1]))
    return f"{_at(tuple(path), marks, where)}: {match.group(2)}"
