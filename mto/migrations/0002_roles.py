from django.db import migrations

from mto.roles import sync_role_groups


def create_sequences(apps, schema_editor):
    DocumentSequence = apps.get_model("mto", "DocumentSequence")
    for name in ("SO", "SH", "JM"):
        DocumentSequence.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("mto", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
        migrations.RunPython(create_sequences, migrations.RunPython.noop),
    ]
