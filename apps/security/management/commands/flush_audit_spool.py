from django.core.management.base import BaseCommand

from apps.security.services import audit_spool_flush, audit_spool_pending


class Command(BaseCommand):
    help = "Write blocked-request records kept in the spool (Redis or local files) to the database."

    def handle(self, *args, **options) -> None:
        pending = audit_spool_pending()
        flushed = audit_spool_flush()
        self.stdout.write(f"{pending} pending, {flushed} flushed")
