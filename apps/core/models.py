from django.db import models


class ConfigVersion(models.Model):
    """A monotonically increasing version per live-configuration namespace.

    Saving a policy, breaker setting or template bumps its namespace; every process compares
    the version it built its in-memory state from (see ``apps.core.live_config``).
    """

    namespace = models.CharField(max_length=64, primary_key=True)
    version = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "configuration version"

    def __str__(self) -> str:
        return f"{self.namespace}@{self.version}"
