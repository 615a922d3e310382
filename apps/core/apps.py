from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        # Reads the environment only; the tracer is built on the first span in each process
        # (after gunicorn/Celery fork), so nothing runs here when tracing is off.
        from apps.core import tracing

        tracing.configure()
