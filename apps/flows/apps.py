from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _seed_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """Every flow has its default template as soon as the schema exists (also after a test
    database flush), so reading a template never has to create one."""
    from apps.flows.models import PromptTemplate, PromptTemplateVersion
    from apps.flows.services import prompt_templates_seed_defaults

    tables = set(connections[using].introspection.table_names())
    if {PromptTemplate._meta.db_table, PromptTemplateVersion._meta.db_table} <= tables:
        prompt_templates_seed_defaults()


class FlowsConfig(AppConfig):
    name = "apps.flows"
    label = "flows"
    verbose_name = "Flows and prompt templates"

    def ready(self) -> None:
        from apps.flows.jobs import register_job_runner
        from apps.flows.models import FLOWS

        def runner_for(flow: str):
            def run(payload: dict, ctx) -> dict:
                from apps.flows.services import run_flow

                return run_flow(flow=flow, payload=payload, ctx=ctx)

            return run

        for flow in FLOWS:
            register_job_runner(flow, runner_for(flow))
        post_migrate.connect(_seed_after_migrate, sender=self, dispatch_uid="flows-seed-templates")

    def seed(self, stdout=None) -> None:
        """Idempotent defaults for ``manage.py bootstrap``: one prompt template per flow."""
        from apps.flows.services import prompt_templates_seed_defaults

        created = prompt_templates_seed_defaults()
        if stdout is not None and created:
            stdout.write(f"Seeded prompt templates: {', '.join(created)}")
