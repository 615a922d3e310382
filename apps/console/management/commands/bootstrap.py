"""Idempotent first-run set-up: seeds every app's defaults, an admin user and a demo API key.

Each AgentHub app may define ``seed(stdout)`` on its AppConfig; they run in INSTALLED_APPS order
(this command knows nothing of what they seed). Credentials created here are written to
``.local/credentials`` (git-ignored) so that later runs can print them again.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


def _read_credentials(path: Path) -> dict:
    """What earlier runs stored; an empty or damaged file counts as nothing stored."""
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


class Command(BaseCommand):
    help = "Seed defaults (idempotent), create an admin user and a demo API key if missing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--admin-username", default="admin")
        parser.add_argument("--demo-tenant", default="demo")
        parser.add_argument(
            "--credentials-file", default=str(Path(settings.BASE_DIR) / ".local" / "credentials")
        )

    def handle(self, *args, admin_username: str, demo_tenant: str, credentials_file: str, **kw):
        for config in apps.get_app_configs():
            seed = getattr(config, "seed", None)
            if callable(seed):
                seed(stdout=self.stdout)

        path = Path(credentials_file)
        stored = _read_credentials(path)

        user_model = get_user_model()
        if not user_model.objects.filter(is_superuser=True).exists():
            password = secrets.token_urlsafe(12)
            user_model.objects.create_superuser(admin_username, "", password)
            stored["admin"] = {"username": admin_username, "password": password}

        from apps.tenants.models import ApiKey
        from apps.tenants.selectors import api_key_from_raw
        from apps.tenants.services import api_key_create, tenant_get_or_create

        demo = stored.get("demo_api_key")
        known = api_key_from_raw(demo) if demo else None
        if known is None or not known.is_usable or known.is_platform_admin:
            # A tenant operator at most: the shared provider registry and its keys stay with
            # platform administrators (the admin user, or a --platform-admin key).
            tenant = tenant_get_or_create(name=demo_tenant)
            created = api_key_create(tenant=tenant, name="demo", is_operator=True)
            stored["demo_api_key"] = created.plaintext

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)

        admin = stored.get("admin")
        self.stdout.write("")
        if admin:
            self.stdout.write(
                f"Admin login:  {admin['username']} / {admin['password']}  (change it in admin)"
            )
        else:
            self.stdout.write(
                "Admin login:  an admin user already exists "
                "(reset with: python manage.py changepassword <user>)"
            )
        self.stdout.write(
            f"Demo API key: {stored['demo_api_key']}  (tenant {demo_tenant}, tenant operator)"
        )
        self.stdout.write(f"Keys in use: {ApiKey.objects.filter(revoked_at__isnull=True).count()}")
