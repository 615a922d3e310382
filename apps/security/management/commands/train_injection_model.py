"""Import labeled examples (JSONL) into the database and train a new injection model from
everything stored (examples plus operators' audit verdicts)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.security.services import injection_model_retrain, training_examples_import


class Command(BaseCommand):
    help = (
        "Import JSONL rows {text, label: injection|benign, source?} (optional) and train, store "
        "and activate a new injection model version."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--data", action="append", default=[], help="JSONL file (repeatable)")
        parser.add_argument("--source", default="", help="source name for rows without one")
        parser.add_argument("--no-activate", action="store_true", help="store, do not activate")
        parser.add_argument("--import-only", action="store_true", help="import, do not train")

    def handle(self, *args, data: list[str], source: str, no_activate: bool, **options) -> None:
        for name in data:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            with path.open(encoding="utf-8", errors="replace") as handle:
                result = training_examples_import(lines=handle, source=source or path.stem)
            self.stdout.write(
                f"{path.name}: {result.created} imported, {result.duplicates} duplicates, "
                f"{len(result.errors)} bad lines"
            )
            for error in result.errors[:20]:
                self.stderr.write(f"  {error}")
        if options["import_only"]:
            return
        try:
            row = injection_model_retrain(activate=not no_activate, created_by="manage.py")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        metrics = row.metrics.get("stratified_5fold", {})
        activated = " and activated" if row.is_active else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"model {row.version} trained on {row.data_summary.get('total')} rows "
                f"(5-fold out-of-fold precision {metrics.get('precision')}, recall "
                f"{metrics.get('recall')}, FPR {metrics.get('fpr')}){activated}"
            )
        )
