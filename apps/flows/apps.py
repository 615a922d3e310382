from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "apps.flows"
    label = "flows"
    verbose_name = "Flows and prompt templates"

    def ready(self) -> None:
        from apps.flows.jobs import register_job_runner

        def runner_for(flow: str):
            def run(payload: dict, ctx) -> dict:
                from apps.flows.services import run_flow

                return run_flow(flow=flow, payload=payload, ctx=ctx)

            return run

        # Kept in sync with services.FLOWS (not imported here: services needs the guard loaded).
        for flow in ("notary", "classify", "ask"):
            register_job_runner(flow, runner_for(flow))

    def seed(self, stdout=None) -> None:
        """Idempotent defaults for ``manage.py bootstrap``: one prompt template per flow."""
        from apps.flows.services import prompt_templates_seed_defaults

        created = prompt_templates_seed_defaults()
        if stdout is not None and created:
            stdout.write(f"Seeded prompt templates: {', '.join(created)}")
