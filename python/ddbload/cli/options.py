"""`ddbload run`'s engine options as the parser offers them, built from the engine's own table
(`_engine.run_options()`: flag, kind, help, default), and the LoadConfig keywords a parse gives back."""

from __future__ import annotations

import argparse
import functools
from typing import Any

from .. import _engine

# The engine's groups, and the titles `run --help` shows them under.
GROUP_TITLES = {
    "load": "load",
    "shape": "load shape (open model: arrivals on a schedule, whatever the answers)",
    "connection": "AWS",
    "tables": "tables",
    "orders": "orders (money is exact decimal)",
}

_TYPES = {"count": int, "number": float}


@functools.cache
def engine_options() -> list[dict[str, Any]]:
    return list(_engine.run_options())


def help_text(option: dict[str, Any]) -> str:
    """The option's help with its default, as argparse wants it (a literal % doubled)."""
    text = option["help"]
    if option["default"] is not None:
        text += f" (default: {option['default']}{option['default_words']})"
    elif option["default_words"]:
        text += f" (default: {option['default_words']})"
    return str(text).replace("%", "%%")


def add_option(container: argparse._ActionsContainer, option: dict[str, Any], default: Any = None) -> None:
    """One engine option as a flag. Its parser default is None unless given: a flag left out is a keyword
    left out, so the engine's own default applies."""
    settings: dict[str, Any] = {"help": help_text(option), "default": default}
    if option["kind"] == "switch":
        settings["action"] = "store_true"
    else:
        settings["type"] = _TYPES.get(option["kind"], str)
        if option["choices"]:
            settings["choices"] = option["choices"]
        if option["metavar"]:
            settings["metavar"] = option["metavar"]
    container.add_argument(option["flag"], **settings)


def add_engine_options(groups: dict[str, argparse._ArgumentGroup], skip: frozenset[str] = frozenset()) -> None:
    """The engine options of these groups, each in its group, but those whose keyword is in `skip` (the
    connection flags are `add_connection_flags`)."""
    exclusive: dict[str, argparse._MutuallyExclusiveGroup] = {}
    for option in engine_options():
        if option["group"] not in groups or option["keyword"] in skip:
            continue
        container: argparse._ActionsContainer = groups[option["group"]]
        if option["exclusive"]:
            if option["exclusive"] not in exclusive:
                exclusive[option["exclusive"]] = container.add_mutually_exclusive_group()
            container = exclusive[option["exclusive"]]
        add_option(container, option)


def add_connection_flags(p: argparse._ActionsContainer) -> None:
    """--region, --profile and --endpoint-url. These keep their defaults in the parser: the capacity
    and cleanup commands read them without a LoadConfig."""
    for option in engine_options():
        if option["group"] == "connection":
            add_option(p, option, default=option["default"])


def engine_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The LoadConfig keywords of the engine options given on the command line."""
    given = ((o["keyword"], getattr(args, o["keyword"], None)) for o in engine_options())
    return {keyword: value for keyword, value in given if value is not None}
