"""The current time, in UTC or an IANA timezone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apps.agents.tools.base import Tool, ToolContext, ToolError


class CurrentTimeTool(Tool):
    name = "current_time"
    description = (
        "The current date and time (ISO 8601). Defaults to UTC; pass an IANA timezone such as "
        "Europe/Paris for local time."
    )
    parameters = {
        "type": "object",
        "properties": {
            "timezone": {"type": "string", "description": "IANA timezone name, default UTC"}
        },
        "required": [],
        "additionalProperties": False,
    }

    def run(self, arguments: dict[str, Any], ctx: ToolContext) -> str:
        name = (arguments.get("timezone") or "UTC").strip()
        if len(name) > 64:
            raise ToolError("unknown timezone")
        try:
            zone = UTC if name.upper() == "UTC" else ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ToolError(f"unknown timezone {name[:64]!r}") from exc
        now = datetime.now(zone).replace(microsecond=0)
        return f"{now.isoformat()} ({name if zone is not UTC else 'UTC'})"
