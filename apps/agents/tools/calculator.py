"""A safe calculator: the expression is parsed with ``ast`` and walked; nothing is evaluated
by Python itself. Only numbers, + - * / // % **, unary +/- and parentheses are accepted, and
sizes are bounded so that ``9**9**9`` or a huge multiplication cannot eat the CPU or memory."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

from apps.agents.tools.base import Tool, ToolContext, ToolError

MAX_EXPRESSION_CHARS = 500
MAX_NODES = 200
MAX_EXPONENT = 1000
MAX_RESULT_DIGITS = 400  # integers beyond ~10**400 are refused
MAX_BITS = int(MAX_RESULT_DIGITS * 3.33)

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}

Number = int | float


def _check_size(value: Number) -> Number:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ToolError("the result is not a finite number")
        return value
    if abs(value).bit_length() > MAX_BITS:
        raise ToolError("the result is too large")
    return value


def _power(base: Number, exponent: Number) -> Number:
    if abs(exponent) > MAX_EXPONENT:
        raise ToolError(f"exponent too large (limit {MAX_EXPONENT})")
    # Estimate the size of the result before computing it.
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent > 0
        and abs(base) > 1
        and exponent * math.log10(abs(base)) > MAX_RESULT_DIGITS
    ):
        raise ToolError("the result is too large")
    try:
        result = operator.pow(base, exponent)
    except ZeroDivisionError as exc:
        raise ToolError("division by zero") from exc
    except OverflowError as exc:
        raise ToolError("the result is too large") from exc
    if isinstance(result, complex):
        raise ToolError("the result is not a real number")
    return result


def _eval(node: ast.AST) -> Number:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ToolError("only numbers are allowed")
        return node.value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow):
            return _check_size(_power(left, right))
        if (
            isinstance(node.op, ast.Mult)
            and isinstance(left, int)
            and isinstance(right, int)
            and abs(left).bit_length() + abs(right).bit_length() > MAX_BITS + 2
        ):
            raise ToolError("the result is too large")
        try:
            return _check_size(_BINARY[type(node.op)](left, right))
        except ZeroDivisionError as exc:
            raise ToolError("division by zero") from exc
        except OverflowError as exc:
            raise ToolError("the result is too large") from exc
    raise ToolError("unsupported expression: use numbers, + - * / // % ** and parentheses only")


def evaluate(expression: str) -> Number:
    """The value of an arithmetic expression, or ToolError. ``^`` is read as a power."""
    if not isinstance(expression, str) or not expression.strip():
        raise ToolError("empty expression")
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise ToolError(f"expression longer than {MAX_EXPRESSION_CHARS} characters")
    text = expression.strip().replace("^", "**").replace("\u00d7", "*").replace("\u00f7", "/")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise ToolError("not a valid arithmetic expression") from exc
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ToolError("expression too complex")
    return _eval(tree)


def format_number(value: Number) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(round(value, 12))
    return str(value)


class CalculatorTool(Tool):
    name = "calculator"
    description = (
        "Evaluate an arithmetic expression exactly: numbers, + - * / // % ** (or ^) and "
        "parentheses. Use it for any arithmetic instead of computing in your head."
    )
    parameters = {
        "type": "object",
        "properties": {"expression": {"type": "string", "description": "e.g. (17 + 25) * 3 / 7"}},
        "required": ["expression"],
        "additionalProperties": False,
    }

    def run(self, arguments: dict[str, Any], ctx: ToolContext) -> str:
        return format_number(evaluate(arguments["expression"]))
