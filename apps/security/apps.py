from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "apps.security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        from apps.core.logging import register_redactor
        from apps.security.services import redact_for_logging

        # Every log handler's RedactingFilter now hides secrets with the live redactor.
        register_redactor(redact_for_logging)

    def seed(self, stdout=None) -> None:
        from apps.security.services import security_seed

        security_seed(stdout=stdout)
