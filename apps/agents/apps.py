from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "apps.agents"
    label = "agents"
    verbose_name = "Agents"

    def ready(self) -> None:
        from apps.flows.jobs import register_job_runner

        def run_agent_chat(payload: dict, ctx) -> dict:
            from apps.agents.services import run_agent_chat_job

            return run_agent_chat_job(payload, ctx)

        # Async chats run as flows jobs (same queue, same idempotency, same job URL).
        register_job_runner("agent_chat", run_agent_chat)

    def seed(self, stdout=None) -> None:
        """Idempotent defaults for ``manage.py bootstrap``: the demo agent ``assistant``."""
        from apps.agents.services import agent_seed_defaults

        agent = agent_seed_defaults()
        if stdout is not None:
            stdout.write(f"Agent '{agent.name}' is available (tools: {len(agent.allowed_tools)}).")
