from apps.security import services
from apps.security.models import InjectionPattern


def make_pattern(**kw) -> InjectionPattern:
    """A "zebra banana" injection rule through the service (validated, policy version bumped)."""
    kw.setdefault("name", "zebra rule")
    kw.setdefault("category", "instruction_override")
    kw.setdefault("pattern", r"\bzebra\s+banana\b")
    kw.setdefault("severity", 90)
    kw.setdefault("tenant", None)
    return services.injection_pattern_create(**kw)
