"""Search over the calling tenant's own documents."""

from __future__ import annotations

from typing import Any

from apps.agents.selectors import document_search
from apps.agents.tools.base import Tool, ToolContext, ToolError

EXCERPT_CHARS = 600


class SearchDocumentsTool(Tool):
    name = "search_documents"
    description = (
        "Search the organisation's own documents by keywords; returns the best matching titles "
        "with an excerpt of each."
    )
    parameters = {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "keywords to look for"},
            "limit": {"type": "integer", "description": "how many results (1-10, default 3)"},
        },
        "required": ["query"],
        "additionalProperties": False,
    }

    def run(self, arguments: dict[str, Any], ctx: ToolContext) -> str:
        query = arguments["query"].strip()
        if not query:
            raise ToolError("empty query")
        limit = max(1, min(int(arguments.get("limit") or 3), 10))
        hits = document_search(tenant=ctx.tenant, query=query[:500], limit=limit)
        if not hits:
            return "No matching documents."
        lines = []
        for number, hit in enumerate(hits, 1):
            lines.append(f"[{number}] {hit.title}: {hit.excerpt(EXCERPT_CHARS)}")
        return "\n".join(lines)
