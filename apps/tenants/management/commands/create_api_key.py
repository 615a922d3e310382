from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.text import slugify

from apps.tenants.services import api_key_create, tenant_get_or_create


class Command(BaseCommand):
    help = "Create an API key (and the tenant, if needed). The key is printed as the last line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", required=True, help="Tenant name (created if missing).")
        parser.add_argument("--name", default="", help="A label for the key.")
        role = parser.add_mutually_exclusive_group()
        role.add_argument(
            "--operator", action="store_true", help="Tenant operator: its tenant's keys, policies."
        )
        role.add_argument(
            "--platform-admin",
            action="store_true",
            help="Platform administrator: the shared provider registry, its keys and breakers.",
        )
        role.add_argument(
            "--auditor", action="store_true", help="Read operator endpoints, change nothing."
        )
        parser.add_argument("--expires-days", type=int, default=None, help="Expire after N days.")

    def handle(
        self,
        *args,
        tenant: str,
        name: str,
        operator: bool,
        platform_admin: bool,
        auditor: bool,
        expires_days,
        **options,
    ):
        slug = slugify(tenant)
        if not slug or slug != tenant:
            raise CommandError(f"Tenant names are slugs (letters, digits, - and _): {tenant!r}")
        if expires_days is not None and expires_days <= 0:
            raise CommandError("--expires-days must be a positive number of days.")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        tenant_obj = tenant_get_or_create(name=slug)
        created = api_key_create(
            tenant=tenant_obj,
            name=name,
            is_operator=operator,
            is_platform_admin=platform_admin,
            is_auditor=auditor,
            expires_at=expires_at,
        )
        kind = (
            "platform administrator key"
            if platform_admin
            else "operator key"
            if operator
            else "auditor key"
            if auditor
            else "key"
        )
        self.stderr.write(
            f"Created {kind} {created.api_key.prefix} for tenant {tenant_obj.name}. "
            "It is shown once; store it now."
        )
        self.stdout.write(created.plaintext)
