"""Reads: the live agent table, conversations and the tenant's document search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from apps.agents.models import Agent, Conversation, Document, Message
from apps.core.live_config import LiveCache
from apps.tenants.models import Tenant
from apps.tenants.selectors import scoped_get

AGENTS_NAMESPACE = "agents"


@dataclass(frozen=True)
class AgentSpec:
    """An agent's configuration as the loop needs it, held in memory (live config)."""

    id: int
    tenant_id: int | None
    name: str
    system_prompt: str
    allowed_tools: tuple[str, ...]
    provider_chain: tuple[str, ...]
    tool_protocol: str
    max_steps: int
    timeout_seconds: int
    enabled: bool


def _build_agents() -> dict[tuple[int | None, str], AgentSpec]:
    specs = {}
    for agent in Agent.objects.all():
        specs[(agent.tenant_id, agent.name)] = AgentSpec(
            id=agent.pk,
            tenant_id=agent.tenant_id,
            name=agent.name,
            system_prompt=agent.system_prompt,
            allowed_tools=tuple(agent.allowed_tools or ()),
            provider_chain=tuple(agent.provider_chain or ()),
            tool_protocol=agent.tool_protocol,
            max_steps=agent.max_steps,
            timeout_seconds=agent.timeout_seconds,
            enabled=agent.enabled,
        )
    return specs


_agents = LiveCache(AGENTS_NAMESPACE, _build_agents)


def agent_spec_for(*, tenant: Tenant, name: str) -> AgentSpec | None:
    """The tenant's own agent of that name, else the global one; None if there is neither."""
    table = _agents.get()
    return table.get((tenant.pk, name)) or table.get((None, name))


def conversation_get(*, tenant: Tenant, conversation_id: int) -> Conversation:
    """The tenant's conversation; another tenant's (or a missing) one is a 404."""
    return scoped_get(
        Conversation.objects.select_related("agent"), tenant=tenant, pk=conversation_id
    )


def conversation_transcript(
    *, conversation: Conversation, last: int | None = None
) -> list[dict[str, Any]]:
    """The stored messages (only the ``last`` ones if given) in the OpenAI chat shape, oldest
    first."""
    messages = Message.objects.filter(conversation=conversation)
    if last is None:
        rows = list(messages.order_by("seq"))
    else:
        # Newest first so a long conversation is not loaded whole, then back to oldest first.
        rows = list(messages.order_by("-seq")[:last])[::-1]
    transcript: list[dict[str, Any]] = []
    for message in rows:
        item: dict[str, Any] = {"role": message.role, "content": message.content}
        if message.tool_calls:
            item["tool_calls"] = message.tool_calls
        if message.tool_call_id:
            item["tool_call_id"] = message.tool_call_id
        transcript.append(item)
    return transcript


def document_list(*, tenant: Tenant) -> QuerySet[Document]:
    return Document.objects.filter(tenant=tenant).order_by("-created_at", "-id")


# --- document search ------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
# fmt: off
_STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how",
    "i", "in", "is", "it", "me", "my", "of", "on", "or", "our", "please", "show", "tell", "that",
    "the", "their", "there", "this", "to", "us", "was", "we", "what", "when", "where", "which",
    "who", "why", "will", "with", "you", "your", "about", "find", "search", "look", "documents",
    "document",
})
# fmt: on
MAX_TERMS = 12
CANDIDATES = 200


@dataclass(frozen=True)
class DocumentHit:
    id: int
    title: str
    content: str
    score: float
    terms: tuple[str, ...]

    def excerpt(self, chars: int) -> str:
        """A window of the content around the first matched term."""
        lowered = self.content.lower()
        positions = [p for p in (lowered.find(t) for t in self.terms) if p >= 0]
        start = max(0, min(positions) - chars // 4) if positions else 0
        text = " ".join(self.content[start : start + chars].split())
        return ("…" if start else "") + text + ("…" if start + chars < len(self.content) else "")


def search_terms(query: str) -> list[str]:
    """Lower-cased keywords of a query, stop words dropped, first ``MAX_TERMS`` kept."""
    seen: list[str] = []
    for word in _WORD.findall(query.lower()):
        if len(word) > 1 and word not in _STOP_WORDS and word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def document_search(*, tenant: Tenant, query: str, limit: int = 3) -> list[DocumentHit]:
    """The tenant's documents best matching ``query``, best first. Only ``tenant``'s documents
    are ever looked at. PostgreSQL full-text ranking when on PostgreSQL, else keyword counts."""
    terms = search_terms(query)
    if not terms:
        return []
    if connection.vendor == "postgresql":
        hits = _search_postgres(tenant=tenant, terms=terms, limit=limit)
        if hits:
            return hits
        # Full text misses partial words ("refund" vs "refundable"); fall back to substrings.
    return _search_portable(tenant=tenant, terms=terms, limit=limit)


def _search_postgres(*, tenant: Tenant, terms: list[str], limit: int) -> list[DocumentHit]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = SearchVector("title", weight="A", config="english") + SearchVector(
        "content", weight="B", config="english"
    )
    # Any term may match (OR); the rank rewards documents that match more and better.
    search = reduce(or_, (SearchQuery(term, config="english") for term in terms))
    rows = (
        Document.objects.filter(tenant=tenant)
        .annotate(rank=SearchRank(vector, search))
        .filter(rank__gt=0)
        .order_by("-rank", "-created_at")
        .values_list("pk", "title", "content", "rank")[:limit]
    )
    return [
        DocumentHit(pk, title, content, float(rank), tuple(terms))
        for pk, title, content, rank in rows
    ]


def _search_portable(*, tenant: Tenant, terms: list[str], limit: int) -> list[DocumentHit]:
    matches = reduce(or_, (Q(title__icontains=t) | Q(content__icontains=t) for t in terms))
    candidates = (
        Document.objects.filter(tenant=tenant)
        .filter(matches)
        .order_by("-created_at")
        .values_list("pk", "title", "content")[:CANDIDATES]
    )
    scored = []
    for pk, title, content in candidates:
        title_l, content_l = title.lower(), content.lower()
        covered = 0
        score = 0.0
        for term in terms:
            count = 3 * title_l.count(term) + content_l.count(term)
            if count:
                covered += 1
                score += 1 + min(count, 20) / 20
        scored.append((covered, score, DocumentHit(pk, title, content, score, tuple(terms))))
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [hit for _, _, hit in scored[:limit]]
