"""A PartiQL statement as CloudTrail logs it, read for a replay: its verb, table (and index), and the
`attribute = literal` conditions its WHERE joins with AND. CloudTrail writes key values as literals and
every other value as `***(Redacted)`, so those equalities hold the statement's key when it names one."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<redacted>\*\*\*\(Redacted\))
    | "(?P<quoted>(?:[^"]|"")*)"
    | '(?P<string>(?:[^']|'')*)'
    | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<symbol><>|!=|<=|>=|[=<>(),.{}\[\]?:*+\-/|])
    )""",
    re.VERBOSE,
)
VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE")
# PartiQL's words that may stand in a WHERE clause beside attribute names.
_WORDS = frozenset({"AND", "OR", "NOT", "IN", "BETWEEN", "IS", "MISSING", "NULL", "TRUE", "FALSE", "EXISTS",
                    "BEGINS_WITH", "CONTAINS", "SIZE", "ATTRIBUTE_TYPE", "ATTRIBUTE_EXISTS",
                    "ATTRIBUTE_NOT_EXISTS"})  # fmt: skip


@dataclass(frozen=True)
class Statement:
    verb: str  # SELECT, INSERT, UPDATE or DELETE
    table: str
    index: str | None  # SELECT ... FROM "table"."index"
    # attribute -> literal (text; numbers as written) of each `attribute = literal` its WHERE ANDs;
    # None when its WHERE has an OR at the top, so no equality can be relied on.
    equalities: dict[str, str] | None
    # Every attribute its WHERE names, whatever it is compared with (`pk = ?`, `pk IN [...]`).
    names: frozenset[str] = frozenset()


class NotReadable(ValueError):
    """A statement this reader does not understand (the replay counts it as not replayed)."""


@dataclass(frozen=True)
class _Token:
    kind: str  # redacted, quoted, string, number, word, symbol
    text: str

    def keyword(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def parse(text: str) -> Statement:
    tokens = _tokens(text)
    if not tokens or not tokens[0].keyword(*VERBS):
        raise NotReadable(f"not a SELECT, INSERT, UPDATE or DELETE: {text[:60]!r}")
    verb = tokens[0].text.upper()
    at = 1 if verb == "UPDATE" else _after_keyword(tokens, "INTO" if verb == "INSERT" else "FROM")
    table, at = _name(tokens, at)
    index = None
    if verb == "SELECT" and at + 1 < len(tokens) and tokens[at].text == ".":
        index, at = _name(tokens, at + 1)
    where = next((i for i in range(at, len(tokens)) if tokens[i].keyword("WHERE")), None)
    clause = [] if where is None else _clause(tokens[where + 1 :])
    names = frozenset(
        t.text for t in clause if t.kind == "quoted" or (t.kind == "word" and t.text.upper() not in _WORDS)
    )
    return Statement(verb, table, index, _equalities(clause), names)


def _tokens(text: str) -> list[_Token]:
    tokens, at = [], 0
    while at < len(text.rstrip()):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise NotReadable(f"cannot read {text[at : at + 20]!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "quoted":
            value = value.replace('""', '"')
        elif kind == "string":
            value = value.replace("''", "'")
        tokens.append(_Token(kind, value))
        at = match.end()
    return tokens


def _after_keyword(tokens: list[_Token], word: str) -> int:
    for i, token in enumerate(tokens):
        if token.keyword(word):
            return i + 1
    raise NotReadable(f"no {word}")


def _name(tokens: list[_Token], at: int) -> tuple[str, int]:
    if at < len(tokens) and tokens[at].kind in ("quoted", "word"):
        return tokens[at].text, at + 1
    raise NotReadable("no table name")


def _clause(tokens: list[_Token]) -> list[_Token]:
    """A WHERE clause's tokens, up to a RETURNING or ORDER BY at its top level."""
    depth = 0
    for at, token in enumerate(tokens):
        depth += _nesting(token)
        if depth == 0 and token.keyword("RETURNING", "ORDER"):
            return tokens[:at]
    return tokens


def _nesting(token: _Token) -> int:
    """+1 for a bracket that opens, -1 for one that closes (in a literal, a bracket is text)."""
    if token.kind != "symbol":
        return 0
    return 1 if token.text in ("(", "[", "{") else -1 if token.text in (")", "]", "}") else 0


def _equalities(tokens: list[_Token]) -> dict[str, str] | None:
    """The `attribute = literal` conjuncts of a WHERE clause's top level."""
    conjuncts = _conjuncts(tokens)
    if conjuncts is None:
        return None
    found: dict[str, str] = {}
    for part in conjuncts:
        if len(part) == 3 and part[1].text == "=":
            name, value = part[0], part[2]
            if value.kind in ("quoted", "word"):
                name, value = value, name  # 'literal' = attribute
            if name.kind in ("quoted", "word") and value.kind in ("string", "number"):
                found[name.text] = value.text
    return found


def _conjuncts(tokens: list[_Token]) -> list[list[_Token]] | None:
    """The WHERE clause's top-level parts joined by AND; None when an OR joins them."""
    conjuncts: list[list[_Token]] = [[]]
    depth = 0
    for token in tokens:
        depth += _nesting(token)
        if depth == 0 and token.keyword("OR"):
            return None
        elif depth == 0 and token.keyword("AND"):
            conjuncts.append([])
            continue
        conjuncts[-1].append(token)
    return conjuncts
