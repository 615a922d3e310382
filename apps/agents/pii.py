"""PII in an agent run: the model sees placeholders (one vault per run, so a value keeps its
placeholder across the user's message, the earlier turns and every tool result); the tools, the
client and the stored conversation see the values. The masking itself is the security app's
(``pii_mask`` / ``pii_unmask``); this module only walks an agent's messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from apps.core.principal import GuardContext
from apps.security.pii.masking import Vault
from apps.security.services import pii_mask, pii_unmask, pii_unmask_json


def _map_message_texts(
    messages: list[dict[str, Any]],
    content: Callable[[str], str],
    arguments: Callable[[str], str],
) -> list[dict[str, Any]]:
    """``messages`` with every content passed through ``content`` and every tool call's
    arguments (JSON text) through ``arguments``, in order."""
    out = []
    for message in messages:
        copy = {**message, "content": content(message.get("content") or "")}
        if message.get("tool_calls"):
            copy["tool_calls"] = [
                {
                    **c,
                    "function": {
                        **c["function"],
                        "arguments": arguments(c["function"]["arguments"] or ""),
                    },
                }
                for c in message["tool_calls"]
            ]
        out.append(copy)
    return out


def mask_messages(
    messages: list[dict[str, Any]], *, ctx: GuardContext, vault: Vault
) -> list[dict[str, Any]]:
    """The caller's PII policy on earlier turns (raises PiiRejected on a ``block`` entity)."""

    def mask(text: str) -> str:
        return pii_mask([text], ctx=ctx, vault=vault)[0][0] if text else text

    return _map_message_texts(messages, mask, mask)


def _unmask_arguments(arguments: str, vault: Vault) -> str:
    # Restored inside the decoded JSON: a value with a quote or a newline (a private key) must
    # not break the arguments' syntax.
    if "[" not in arguments:
        return arguments
    try:
        return json.dumps(pii_unmask_json(json.loads(arguments), vault), ensure_ascii=False)
    except ValueError:
        return pii_unmask(arguments, vault)


def unmask_messages(messages: list[dict[str, Any]], vault: Vault) -> list[dict[str, Any]]:
    """A turn's messages with the values back, as the conversation stores them (a later turn
    masks them again with its own vault)."""
    if not vault:
        return messages
    return _map_message_texts(
        messages,
        lambda text: pii_unmask(text, vault),
        lambda arguments: _unmask_arguments(arguments, vault),
    )
