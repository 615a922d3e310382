"""The platform admins', operators' and auditors' groups, and exactly which permissions each holds.

Superusers need no group. Platform admins own what every tenant shares: the provider registry,
provider keys (secrets) and the breakers of shared providers, on top of everything operators do.
Operators tune policy, rate limits and templates and may only read providers; auditors read the
audit trail, breaker events and the policies in force, and change nothing. The groups are
created by a migration and kept in step with this table after every ``migrate`` (post_migrate),
so a model added later gets its permissions without a hand-made data migration.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import Group, Permission
from django.db import transaction

logger = logging.getLogger(__name__)

PLATFORM_ADMINS = "platform admins"
OPERATORS = "operators"
AUDITORS = "auditors"

ALL = ("add", "change", "delete", "view")
VIEW = ("view",)

# Policies and configuration operators tune (and auditors may read).
_TUNABLE = (
    "security.injectionpattern",
    "security.sanitizationpolicy",
    "security.secretpattern",
    "security.detectionsettings",
    "security.injectionmodelversion",
    "security.trainingexample",
    "flows.prompttemplate",
    "flows.prompttemplateversion",
    "flows.labelset",
    "agents.agent",
    "agents.document",
    "tenants.ratelimit",
)
# Shared by every tenant, so only platform admins change it: a provider's URL and key decide where
# every tenant's prompts (and the platform's key) are sent.
_PLATFORM = (
    "providers.provider",
    "providers.breakerconfig",
    "providers.providerfallback",
)
# Evidence: read-only for everyone (the audit trail is append-only).
_EVIDENCE = (
    "security.blockedrequest",
    "providers.breakerevent",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
)
# Records operators may look at while working.
_OPERATIONAL = (
    "tenants.tenant",
    "tenants.apikey",
    "flows.notaryrecord",
    "flows.job",
    "agents.conversation",
    "agents.agentrun",
)

_OPERATOR_PERMISSIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(_TUNABLE, ALL),
    **dict.fromkeys(_PLATFORM, VIEW),
    **dict.fromkeys(_EVIDENCE, VIEW),
    **dict.fromkeys(_OPERATIONAL, VIEW),
    # verdicts ("false positive" / "confirmed attack") are the one change to the audit trail
    "security.blockedrequest": ("view", "change"),
}

ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    PLATFORM_ADMINS: {**_OPERATOR_PERMISSIONS, **dict.fromkeys(_PLATFORM, ALL)},
    OPERATORS: _OPERATOR_PERMISSIONS,
    AUDITORS: {
        **dict.fromkeys(_TUNABLE, VIEW),
        **dict.fromkeys(_PLATFORM, VIEW),
        **dict.fromkeys(_EVIDENCE, VIEW),
    },
}


def _permissions_for(spec: dict[str, tuple[str, ...]]) -> list[Permission]:
    wanted: set[tuple[str, str]] = set()
    for label, actions in spec.items():
        app_label, model = label.split(".")
        wanted.update((app_label, f"{action}_{model}") for action in actions)
    found = list(
        Permission.objects.filter(
            content_type__app_label__in={a for a, _ in wanted}
        ).select_related("content_type")
    )
    chosen = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in chosen}
    if missing:
        logger.info("roles: permissions not (yet) present: %s", sorted(missing))
    return chosen


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Create the groups if needed and give each exactly the permissions in the table."""
    counts: dict[str, int] = {}
    for name, spec in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = _permissions_for(spec)
        group.permissions.set(permissions)
        counts[name] = len(permissions)
    return counts
