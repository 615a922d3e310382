import factory

from apps.security.models import InjectionPattern


class InjectionPatternFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InjectionPattern

    tenant = None
    name = factory.Sequence(lambda n: f"test-pattern-{n}")
    category = "instruction_override"
    pattern = factory.Sequence(lambda n: rf"\bzebra{n}\b")
    severity = 80
    action = "block"
    enabled = True
