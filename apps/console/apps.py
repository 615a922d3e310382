from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs) -> None:
    from apps.console.roles import roles_sync

    roles_sync()


class ConsoleConfig(AppConfig):
    """The operators' console: admin dashboard, roles, and the admin site itself."""

    name = "apps.console"
    label = "console"
    verbose_name = "Operators' console"

    def ready(self) -> None:
        # Runs after every app's permissions exist (console is the last app installed).
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="console-roles-sync")

    def seed(self, stdout=None) -> None:
        from apps.console.roles import roles_sync

        roles_sync()


class ConsoleAdminConfig(AdminConfig):
    """Replaces ``django.contrib.admin`` so that ``admin.site`` is the console's site."""

    default_site = "apps.console.sites.ConsoleAdminSite"
