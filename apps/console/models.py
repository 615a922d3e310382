"""What the first-run set-up has issued, so that a later run never issues it again."""

from django.db import models


class BootstrapGrant(models.Model):
    """A credential ``manage.py bootstrap`` created once (the admin user, the demo key).

    The row outlives the credential: a revoked demo key or a deleted demo tenant is the
    operator's decision, and the next ``make run`` must not quietly undo it. No secret is kept
    here, only what identifies the grant (a username, a key prefix).
    """

    what = models.CharField(max_length=64, unique=True)
    identifier = models.CharField(max_length=150, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "bootstrap grant"

    def __str__(self) -> str:
        return f"{self.what} ({self.identifier})"
