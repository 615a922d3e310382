from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "apps.providers"
    label = "providers"
    verbose_name = "LLM providers"

    def ready(self) -> None:
        from apps.core.secrets import register_secret_source
        from apps.providers.services import configured_key_values

        # The security app's redactor hides the values of every provider key variable.
        register_secret_source(configured_key_values)

    def seed(self, stdout=None) -> None:
        """The built-in offline provider (the default when there is no other), idempotent."""
        from django.db import transaction

        from apps.providers.models import BreakerConfig, Provider, ProviderKind
        from apps.providers.services import provider_create, providers_changed

        if Provider.objects.filter(name="offline").exists():
            provider = Provider.objects.get(name="offline")
            if not BreakerConfig.objects.filter(provider=provider).exists():
                with transaction.atomic():
                    BreakerConfig.objects.create(provider=provider)
                    providers_changed()
            return
        from apps.providers.clients.offline import OFFLINE_MODEL

        provider_create(
            name="offline",
            kind=ProviderKind.OFFLINE,
            model=OFFLINE_MODEL,
            is_default=not Provider.objects.filter(is_default=True).exists(),
            max_attempts=1,
        )
        if stdout is not None:
            stdout.write("Seeded the built-in offline provider.")
