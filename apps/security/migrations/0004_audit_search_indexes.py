"""Trigram indexes for the audit trail's substring filters on PostgreSQL.

The category filter (``categories_text LIKE '%|cat|%'``) and the admin search
(``UPPER(path|excerpt) LIKE UPPER('%term%')``) cannot use a B-tree; pg_trgm GIN indexes serve
both. Other databases (SQLite in development and tests) get nothing: this is a no-op there.
"""

from django.db import migrations

INDEXES = {
    "security_br_categories_trgm": "(categories_text gin_trgm_ops)",
    "security_br_excerpt_trgm": "(UPPER(excerpt::text) gin_trgm_ops)",
    "security_br_path_trgm": "(UPPER(path::text) gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON security_blockedrequest USING gin {expression}"
        )
    # Expression indexes have no statistics until the next ANALYZE; without them the planner
    # guesses a search term is rare and sorts every match instead of walking created_at.
    schema_editor.execute("ANALYZE security_blockedrequest")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0003_block_stats"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
