"""Give the admin user a new random password and print it (for when the first one is lost)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.console.services import admin_password_reset


class Command(BaseCommand):
    help = "Set a new random password for a superuser (default: the first one) and print it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default=None, help="Which superuser (default: first).")

    def handle(self, *args, username: str | None, **options) -> None:
        try:
            reset = admin_password_reset(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"{exc}; create one with: python manage.py bootstrap") from exc
        self.stdout.write(f"Admin login:  {reset.identifier} / {reset.secret}")
