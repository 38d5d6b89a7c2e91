"""Conditions of ``if`` steps: a tiny, safe expression language over slots and variables.

Syntax is a subset of Python expressions, checked once at load time and then interpreted:
comparisons (``== != < <= > >= in``, ``not in``), ``and`` / ``or`` / ``not``, numbers, quoted
strings, ``true`` / ``false`` / ``null``, lists, names of slots and variables, ``len(x)`` and
``filled(x)``. A slot that is not filled reads as ``null``.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_CONSTANT_NAMES: dict[str, Any] = {
    "true": True,
    "false": False,
    "null": None,
    "none": None,
    "True": True,
    "False": False,
    "None": None,
}
_FUNCTIONS = ("len", "filled")
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: b is not None and a in b,
    ast.NotIn: lambda a, b: b is None or a not in b,
}


class ConditionSyntaxError(ValueError):
    """The condition text is not in the supported subset. The message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Condition:
    source: str
    names: frozenset[str]
    tree: ast.expr

    def evaluate(self, values: Mapping[str, Any]) -> bool:
        return bool(_eval(self.tree, values))


def parse_condition(source: str) -> Condition:
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError:
        raise ConditionSyntaxError(
            f'cannot parse condition {source!r}; write e.g. "satisfaction <= 2"'
        ) from None
    names: set[str] = set()
    _check(tree, names)
    return Condition(source=source, names=frozenset(names), tree=tree)


def _check(node: ast.AST, names: set[str]) -> None:
    if isinstance(node, ast.BoolOp):
        for v in node.values:
            _check(v, names)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        _check(node.operand, names)
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ConditionSyntaxError(f"operator {type(op).__name__} is not allowed in conditions")
        _check(node.left, names)
        for c in node.comparators:
            _check(c, names)
    elif isinstance(node, ast.Name):
        if node.id not in _CONSTANT_NAMES:
            names.add(node.id)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, (int, float, str, bool)) and node.value is not None:
            raise ConditionSyntaxError(f"constant {node.value!r} is not allowed in conditions")
    elif isinstance(node, (ast.List, ast.Tuple)):
        for e in node.elts:
            _check(e, names)
    elif isinstance(node, ast.Call):
        if (
            not (isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS)
            or len(node.args) != 1
            or node.keywords
        ):
            raise ConditionSyntaxError("only len(name) and filled(name) may be called in conditions")
        _check(node.args[0], names)
    else:
        raise ConditionSyntaxError(
            f"{type(node).__name__} is not allowed in conditions; use comparisons, "
            "and/or/not, names, numbers and quoted strings"
        )


def _eval(node: ast.AST, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_eval(v, values) for v in node.values)
        return any(_eval(v, values) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        if isinstance(node.op, ast.Not):
            return not operand
        return -operand if isinstance(operand, (int, float)) else None
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, values)
            try:
                ok = _COMPARE[type(op)](left, right)
            except TypeError:  # e.g. null < 3: an unfilled slot satisfies no ordering
                return False
            if not ok:
                return False
            left = right
        return True
    if isinstance(node, ast.Name):
        if node.id in _CONSTANT_NAMES:
            return _CONSTANT_NAMES[node.id]
        return values.get(node.id)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, values) for e in node.elts]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        arg = _eval(node.args[0], values)
        if node.func.id == "len":
            return len(arg) if isinstance(arg, (list, str, dict)) else 0
        return arg is not None and arg != [] and arg != ""
    raise ConditionSyntaxError(f"unsupported expression {type(node).__name__}")  # _check prevents this
