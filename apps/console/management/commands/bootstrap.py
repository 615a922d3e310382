"""Idempotent first-run set-up: seeds every app's defaults, an admin user and a demo API key.

Each AgentHub app may define ``seed(stdout)`` on its AppConfig; they run in INSTALLED_APPS order
(this command knows nothing of what they seed). The admin password and the demo key are printed
by the run that creates them and never again: nothing stores them, so a changed password or a
revoked key is never shown stale or re-created (``console.BootstrapGrant`` remembers what was
issued). ``python manage.py reset_admin_password`` prints a fresh admin password.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

from apps.console.services import Issued, admin_user_ensure, demo_key_ensure

# Earlier versions kept the admin password and demo key here in plain text.
LEGACY_CREDENTIALS_FILE = Path(settings.BASE_DIR) / ".local" / "credentials"


def _key_state(issued: Issued) -> str:
    from apps.tenants.models import ApiKey

    key = ApiKey.objects.filter(prefix=issued.identifier).first()
    if key is None:
        return "deleted"
    return "in use" if key.is_usable else "revoked, expired or its tenant inactive"


class Command(BaseCommand):
    help = "Seed defaults (idempotent); create the first admin user and a demo API key once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--admin-username", default="admin")
        parser.add_argument("--demo-tenant", default="demo")
        parser.add_argument(
            "--legacy-credentials-file",
            default=str(LEGACY_CREDENTIALS_FILE),
            help="Plain-text credentials an earlier version wrote; removed when found.",
        )

    def handle(
        self,
        *args,
        admin_username: str,
        demo_tenant: str,
        legacy_credentials_file: str,
        **options,
    ) -> None:
        for config in apps.get_app_configs():
            seed = getattr(config, "seed", None)
            if callable(seed):
                seed(stdout=self.stdout)

        admin = admin_user_ensure(username=admin_username)
        demo = demo_key_ensure(tenant_name=demo_tenant)
        legacy = Path(legacy_credentials_file)
        if legacy.exists():
            legacy.unlink()
            self.stdout.write(f"Removed {legacy} (plain-text credentials of an earlier version).")

        self.stdout.write("")
        if admin.created:
            self.stdout.write(
                f"Admin login:  {admin.identifier} / {admin.secret}  "
                "(shown once: store it or change it in admin)"
            )
        else:
            self.stdout.write(
                f"Admin login:  user {admin.identifier} exists "
                "(new password: python manage.py reset_admin_password)"
            )
        if demo.created:
            self.stdout.write(
                f"Demo API key: {demo.secret}  (tenant {demo_tenant}, operator; shown once)"
            )
        else:
            self.stdout.write(
                f"Demo API key: issued earlier (ah_{demo.identifier}_…, {_key_state(demo)}); "
                f"another one: python manage.py create_api_key --tenant {demo_tenant} --operator"
            )
