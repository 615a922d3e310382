"""Re-encrypt every stored provider key with the newest SECRETS_ENCRYPTION_KEYS key."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.core.crypto import SecretDecryptionError
from apps.providers.services import provider_secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt stored provider keys with the first (newest) key of SECRETS_ENCRYPTION_KEYS. "
        "Run it after putting a new key in front; remove the old key only afterwards."
    )

    def handle(self, *args, **options) -> None:
        try:
            rotated = provider_secrets_rotate()
        except SecretDecryptionError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from None
        self.stdout.write(f"Re-encrypted {rotated} stored provider key(s) with the newest key.")
