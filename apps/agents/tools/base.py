"""What a tool is: a name, a description, a JSON schema for its arguments and ``run``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


class ToolError(Exception):
    """A tool could not do what was asked (bad arguments, nothing found...). The message is shown
    to the model as the observation, so it must be safe and short."""


@dataclass(frozen=True)
class ToolContext:
    """Who is calling: the tenant (tools must never reach another tenant's data) and the guard
    context of the request (flow tools pass it on)."""

    tenant: Tenant
    guard: Any = None  # apps.core.principal.GuardContext
    agent: str = ""


class Tool:
    """A tool. Subclass, set the class attributes, implement ``run`` and register it with
    ``apps.agents.tools.register``. ``run`` returns the observation text or raises ToolError."""

    name: ClassVar[str]
    description: ClassVar[str]
    parameters: ClassVar[dict[str, Any]]  # JSON schema of an object

    def run(self, arguments: dict[str, Any], ctx: ToolContext) -> str:
        raise NotImplementedError(f"{type(self).__name__} must implement run(arguments, ctx)")

    def validate(self, arguments: Any) -> dict[str, Any]:
        """Check arguments against the schema's shape (object, required keys, primitive types).

        Not a full JSON-schema validator: enough to turn a model's malformed call into a clear
        error instead of a crash inside the tool."""
        if not isinstance(arguments, dict):
            raise ToolError("arguments must be a JSON object")
        properties = self.parameters.get("properties", {})
        missing = [k for k in self.parameters.get("required", []) if k not in arguments]
        if missing:
            raise ToolError(f"missing required argument(s): {', '.join(missing)}")
        if self.parameters.get("additionalProperties") is False:
            unknown = sorted(set(arguments) - set(properties))
            if unknown:
                raise ToolError(f"unknown argument(s): {', '.join(unknown)}")
        for key, value in arguments.items():
            expected = properties.get(key, {}).get("type")
            if expected and not _matches(value, expected):
                raise ToolError(f"argument {key!r} must be of type {expected}")
        return arguments


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _matches(value: Any, expected: str | list[str]) -> bool:
    kinds = [expected] if isinstance(expected, str) else expected
    for kind in kinds:
        if kind == "null" and value is None:
            return True
        types = _JSON_TYPES.get(kind)
        if types is None:
            return True  # a type we don't check
        if isinstance(value, bool) and kind in ("number", "integer"):
            continue
        if isinstance(value, types):
            return True
    return False
