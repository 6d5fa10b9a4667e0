from django.db import migrations

# DESIGN.md's role table: Office may "view jobs", nothing more, yet 0002 gave it plan_jobs (new jobs by hand,
# routing edits). Planning stays with the Manager. Frozen data, as every role migration: no live table.
ROLE, CODENAME = "Office", "plan_jobs"


def _permission(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label="mto", codename=CODENAME)


def grant_roles(apps, schema_editor=None):
    Group = apps.get_model("auth", "Group")
    Group.objects.get(name=ROLE).permissions.remove(_permission(apps))


def restore(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get(name=ROLE).permissions.add(_permission(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("mto", "0006_change_orders"),
    ]

    operations = [
        migrations.RunPython(grant_roles, restore),
    ]
