"""The one place tools are registered. A new tool is a small ``Tool`` subclass plus
``register(MyTool())`` here (or from another app's ``ready()``)."""

from __future__ import annotations

from apps.agents.tools.base import Tool, ToolContext, ToolError

_REGISTRY: dict[str, Tool] = {}


def register(tool: Tool) -> Tool:
    """Add a tool (by its ``name``); re-registering a name replaces it."""
    if not getattr(tool, "name", "") or not tool.name.replace("_", "").isalnum():
        raise ValueError("a tool name must be non-empty letters, digits and underscores")
    _REGISTRY[tool.name] = tool
    return tool


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def get_tool(name: str) -> Tool | None:
    return _REGISTRY.get(name)


def tool_names() -> list[str]:
    return sorted(_REGISTRY)


def _register_builtins() -> tuple[str, ...]:
    from apps.agents.tools.calculator import CalculatorTool
    from apps.agents.tools.clock import CurrentTimeTool
    from apps.agents.tools.documents import SearchDocumentsTool
    from apps.agents.tools.flows import FlowAskTool, FlowClassifyTool, FlowNotaryTool

    tools = (
        CalculatorTool(),
        CurrentTimeTool(),
        SearchDocumentsTool(),
        FlowNotaryTool(),
        FlowClassifyTool(),
        FlowAskTool(),
    )
    for tool in tools:
        register(tool)
    return tuple(t.name for t in tools)


BUILTIN_TOOLS: tuple[str, ...] = _register_builtins()

__all__ = [
    "BUILTIN_TOOLS",
    "Tool",
    "ToolContext",
    "ToolError",
    "get_tool",
    "register",
    "tool_names",
    "unregister",
]
