"""First-run credentials: issued once, printed once, never stored in plain text."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.console.models import BootstrapGrant

ADMIN_GRANT = "admin_user"
DEMO_KEY_GRANT = "demo_api_key"


@dataclass(frozen=True)
class Issued:
    """What one bootstrap run did. ``secret`` is set only when it was created by this run."""

    identifier: str
    secret: str | None = None

    @property
    def created(self) -> bool:
        return self.secret is not None


def new_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def admin_user_ensure(*, username: str) -> Issued:
    """Create the first superuser if there is none; its password is returned only then."""
    user_model = get_user_model()
    existing = user_model.objects.filter(is_superuser=True).order_by("pk").first()
    if existing is not None:
        BootstrapGrant.objects.get_or_create(
            what=ADMIN_GRANT, defaults={"identifier": existing.get_username()}
        )
        return Issued(identifier=existing.get_username())
    password = new_password()
    user_model.objects.create_superuser(username, "", password)
    BootstrapGrant.objects.update_or_create(what=ADMIN_GRANT, defaults={"identifier": username})
    return Issued(identifier=username, secret=password)


@transaction.atomic
def demo_key_ensure(*, tenant_name: str) -> Issued:
    """Issue the demo operator key once. Revoking it (or deleting its tenant) is final: the
    grant row remembers that it was issued, so a later run reports it instead of re-creating it.
    """
    from apps.tenants.models import ApiKey
    from apps.tenants.services import api_key_create, tenant_get_or_create

    grant = BootstrapGrant.objects.select_for_update().filter(what=DEMO_KEY_GRANT).first()
    if grant is not None:
        return Issued(identifier=grant.identifier)
    # Installations from before the grant table: their demo key counts as issued.
    earlier = ApiKey.objects.filter(tenant__name=tenant_name, name="demo").order_by("pk").first()
    if earlier is not None:
        BootstrapGrant.objects.create(what=DEMO_KEY_GRANT, identifier=earlier.prefix)
        return Issued(identifier=earlier.prefix)
    tenant = tenant_get_or_create(name=tenant_name)
    created = api_key_create(tenant=tenant, name="demo", is_operator=True)
    BootstrapGrant.objects.create(what=DEMO_KEY_GRANT, identifier=created.api_key.prefix)
    return Issued(identifier=created.api_key.prefix, secret=created.plaintext)


@transaction.atomic
def admin_password_reset(*, username: str | None = None) -> Issued:
    """Give a superuser (``username``, else the first one) a new random password."""
    user_model = get_user_model()
    users = user_model.objects.filter(is_superuser=True, is_active=True).order_by("pk")
    if username:
        users = users.filter(**{user_model.USERNAME_FIELD: username})
    user = users.first()
    if user is None:
        raise user_model.DoesNotExist(f"no active superuser {username or ''}".strip())
    password = new_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    return Issued(identifier=user.get_username(), secret=password)
