from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "apps.providers"
    label = "providers"
    verbose_name = "LLM providers"

    def ready(self) -> None:
        from apps.core.secrets import register_secret_source
        from apps.providers.judge import provider_judge
        from apps.providers.services import configured_key_values
        from apps.security.judge import register_judge

        # The security app's redactor hides the values of every provider key variable.
        register_secret_source(configured_key_values)
        # The guard's optional LLM judge asks a configured provider (security cannot import
        # providers: it sits below them).
        register_judge(provider_judge)

    def seed(self, stdout=None) -> None:
        """The built-in offline provider (the default when there is no other), idempotent."""
        from apps.providers.services import provider_seed_defaults

        if provider_seed_defaults() and stdout is not None:
            stdout.write("Seeded the built-in offline provider.")
