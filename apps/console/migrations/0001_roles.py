"""Create the operators and auditors groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the groups can
    # hold them from the start.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    from apps.console.roles import ROLE_PERMISSIONS

    for name, spec in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = set()
        for label, actions in spec.items():
            app_label, model = label.split(".")
            wanted.update((app_label, f"{action}_{model}") for action in actions)
        permissions = [
            p
            for p in Permission.objects.select_related("content_type")
            if (p.content_type.app_label, p.codename) in wanted
        ]
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["operators", "auditors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tenants", "0003_api_key_auditor"),
        ("security", "0003_block_stats"),
        ("providers", "0002_call_stats"),
        ("flows", "0003_beat_schedule"),
        ("agents", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
