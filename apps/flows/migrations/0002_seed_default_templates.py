"""Seed one prompt template (version 1, active) per flow, so a fresh database can run flows.

Idempotent and never overwrites: a template that already exists is left as the operator made it.
"""

from django.db import migrations

from apps.flows.templating import DEFAULT_TEMPLATES


def seed(apps, schema_editor):
    PromptTemplate = apps.get_model("flows", "PromptTemplate")
    PromptTemplateVersion = apps.get_model("flows", "PromptTemplateVersion")
    for flow, default in DEFAULT_TEMPLATES.items():
        if PromptTemplate.objects.filter(name=flow).exists():
            continue
        template = PromptTemplate.objects.create(
            name=flow, flow=flow, description=default["description"]
        )
        version = PromptTemplateVersion.objects.create(
            template=template,
            version=1,
            system_prompt=default["system_prompt"],
            user_template=default["user_template"],
            created_by="migration",
            note="default",
        )
        template.active_version = version
        template.save(update_fields=["active_version"])


class Migration(migrations.Migration):
    dependencies = [("flows", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
