from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.security.blockstats import block_stats_rebuild


class Command(BaseCommand):
    help = "Recount the dashboard's hourly block counters from the audit trail."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Only the last N days.")

    def handle(self, *args, days: int | None, **options) -> None:
        since = timezone.now() - timedelta(days=days) if days else None
        counted = block_stats_rebuild(since=since)
        self.stdout.write(f"Counted {counted} blocked requests.")
