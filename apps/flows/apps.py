from django.apps import AppConfig


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

    def seed(self, stdout=None) -> None:
        """Idempotent defaults for ``manage.py bootstrap``: one prompt template per flow."""
        from apps.flows.services import prompt_templates_seed_defaults

        created = prompt_templates_seed_defaults()
        if stdout is not None and created:
            stdout.write(f"Seeded prompt templates: {', '.join(created)}")
