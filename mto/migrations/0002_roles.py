from django.db import migrations

# The role table as this migration made it, frozen here on purpose: a migration must give the same result
# whenever it runs, so it never imports the live table in mto/roles.py. A change of grants is a new migration.
CAPABILITIES = {
    "view_orders": "View customers, items and sales orders",
    "manage_customers": "Create and edit customers and items",
    "edit_orders": "Create, edit, submit and cancel sales orders",
    "approve_orders": "Approve or reject sales orders",
    "close_orders": "Close shipped sales orders",
    "view_jobs": "View job orders",
    "plan_jobs": "Edit job routings",
    "manage_jobs": "Release, hold and cancel job orders",
    "run_floor": "Use the shop floor board: run operations, report pieces, hold jobs, add notes",
    "view_shipments": "View shipments",
    "ship": "Create, pack, ship and print shipments",
    "void_shipments": "Void shipped shipments",
    "view_reports": "View reports and dashboards",
}
_OFFICE = {"view_orders", "manage_customers", "edit_orders", "close_orders", "view_jobs", "plan_jobs", "view_shipments"}
ROLE_CAPABILITIES = {
    "Office": _OFFICE,
    "Manager": _OFFICE | {"approve_orders", "manage_jobs", "void_shipments", "view_reports"},
    "Shop floor": {"view_orders", "view_jobs", "run_floor"},
    "Shipping": {"view_orders", "view_jobs", "view_shipments", "ship"},
}


def grant_roles(apps, schema_editor=None):
    """Create the role groups and give each exactly the capabilities above."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="mto", model="capability")
    perms = {}
    for codename, name in CAPABILITIES.items():
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        perms[codename] = permission
    for role, capabilities in ROLE_CAPABILITIES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([perms[c] for c in sorted(capabilities)])


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
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
        migrations.RunPython(create_sequences, migrations.RunPython.noop),
    ]
