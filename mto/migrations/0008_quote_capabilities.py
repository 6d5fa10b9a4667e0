from django.db import migrations

# Quotes (issue 17): Office prepares and sends, a Manager approves a low margin, everyone who may see
# orders may see quotes. Frozen data, as every role migration: no live table.
CAPABILITIES = {
    "view_quotes": "View quotes and their estimates",
    "edit_quotes": "Prepare, send, revise, accept and decline quotes",
    "approve_quotes": "Approve a quote's margin below the shop's threshold before it is sent",
}
GRANTS = {
    "Office": {"view_quotes", "edit_quotes"},
    "Manager": {"view_quotes", "edit_quotes", "approve_quotes"},
    "Shop floor": {"view_quotes"},
    "Shipping": {"view_quotes"},
}


def grant_roles(apps, schema_editor=None):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="mto", model="capability")
    perms = {
        codename: Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                   defaults={"name": name})[0]
        for codename, name in CAPABILITIES.items()
    }  # fmt: skip
    for role, capabilities in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*(perms[c] for c in sorted(capabilities)))


def create_sequence(apps, schema_editor):
    apps.get_model("mto", "DocumentSequence").objects.get_or_create(name="Q")


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="mto", codename__in=CAPABILITIES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mto", "0007_office_views_jobs_only"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='capability',
            options={'default_permissions': (), 'managed': False, 'permissions': [('approve_orders', 'Approve or reject sales orders'), ('approve_quotes', "Approve a quote's margin below the shop's threshold before it is sent"), ('close_orders', 'Close shipped sales orders'), ('edit_orders', 'Create, edit, submit and cancel sales orders'), ('edit_quotes', 'Prepare, send, revise, accept and decline quotes'), ('manage_customers', 'Create and edit customers and items'), ('manage_jobs', 'Release, hold and cancel job orders'), ('plan_jobs', 'Edit job routings'), ('run_floor', 'Use the shop floor board: run operations, report pieces, hold jobs, add notes'), ('ship', 'Create, pack, ship and print shipments'), ('view_jobs', 'View job orders'), ('view_orders', 'View customers, items and sales orders'), ('view_quotes', 'View quotes and their estimates'), ('view_reports', 'View reports and dashboards'), ('view_shipments', 'View shipments'), ('void_shipments', 'Void shipped shipments')]},
        ),
        migrations.RunPython(grant_roles, revoke),
        migrations.RunPython(create_sequence, migrations.RunPython.noop),
    ]
