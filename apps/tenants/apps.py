from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "apps.tenants"
    label = "tenants"
    verbose_name = "Tenants and API keys"

    def ready(self) -> None:
        from apps.tenants import schema  # noqa: F401 - registers the OpenAPI auth scheme

    def seed(self, stdout=None) -> None:
        """Idempotent defaults for ``manage.py bootstrap``: the demo tenant."""
        from apps.tenants.services import tenant_get_or_create

        tenant_get_or_create(name="demo")
