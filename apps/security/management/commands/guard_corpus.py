"""Build the guard's training corpus and external test set from pinned snapshots."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.security.guard.corpus.build import build, load_manifest, update_manifest, write


class Command(BaseCommand):
    help = (
        "build: write corpus.jsonl / external.jsonl / stats.json / README.txt to --out from the "
        "mirrors pinned in apps/security/guard/corpus/manifest.json plus the synthetic generator."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["build"])
        parser.add_argument("--mirrors", type=Path, help="directory of <owner>+<name>/repo mirrors")
        parser.add_argument("--out", type=Path, default=Path(".local/guard-corpus"))
        parser.add_argument("--generated-only", action="store_true", help="synthetic rows only")
        parser.add_argument("--seed", type=int, help="generator seed (default: the manifest's)")
        parser.add_argument("--external-file", type=Path, help="injection-dev.jsonl to add")
        parser.add_argument(
            "--update-manifest", action="store_true", help="record rows used in manifest.json"
        )

    def handle(self, *args, **options) -> None:
        if not options["generated_only"] and options["mirrors"] is None:
            raise CommandError("--mirrors DIR is required (or --generated-only)")
        manifest = load_manifest()
        result = build(
            mirrors=options["mirrors"],
            seed=options["seed"],
            generated_only=options["generated_only"],
            external_file=options["external_file"],
            manifest=manifest,
        )
        write(result, options["out"], manifest, generator_commit=_head())
        if options["update_manifest"]:
            if options["generated_only"]:
                raise CommandError("--update-manifest needs a full build")
            update_manifest(result, manifest)
        stats = result.stats()
        for name, problem in result.missing.items():
            self.stderr.write(f"not built: {name}: {problem}")
        self.stdout.write(
            self.style.SUCCESS(
                f"corpus {stats['corpus']['rows']} rows {stats['corpus']['labels']} from "
                f"{len(stats['corpus']['per_source'])} sources; external "
                f"{stats['external']['rows']} rows -> {options['out']}"
            )
        )


def _head() -> str | None:
    result = subprocess.run(
        ["git", "rev-parse", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent,
    )
    return result.stdout.strip() or None
