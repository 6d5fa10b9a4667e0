from django.db import migrations

# Purchasing (issue 18): a new role, the buyer, with vendors, purchase orders, receipts and ship-outs;
# Managers may do all of it; Shipping clerks may receive at the dock; the floor sees but does not buy.
# Frozen data, as every role migration: no live table.
CAPABILITIES = {
    "view_purchasing": "View vendors, purchase orders, receipts and ship-outs",
    "buy": "Vendors, job material, purchase orders (create, send, cancel, close)",
    "receive": "Receive material and pieces back from vendors, ship pieces out to vendors",
    # Existing capabilities the new role is granted (the names as mto 0002 and 0008 made them).
    "view_orders": "View customers, items and sales orders",
    "view_jobs": "View job orders",
    "view_quotes": "View quotes and their estimates",
}
GRANTS = {
    "Purchasing": {"view_orders", "view_jobs", "view_quotes", "view_purchasing", "buy", "receive"},
    "Manager": {"view_purchasing", "buy", "receive"},
    "Shop floor": {"view_purchasing"},
    "Shipping": {"view_purchasing", "receive"},
}
NEW = ("view_purchasing", "buy", "receive")


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


def create_sequences(apps, schema_editor):
    for name in ("PO", "VS"):
        apps.get_model("mto", "DocumentSequence").objects.get_or_create(name=name)


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(content_type__app_label="mto", codename__in=NEW).delete()
    apps.get_model("auth", "Group").objects.filter(name="Purchasing").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mto", "0008_quote_capabilities"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="capability",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": [
                    ("approve_orders", "Approve or reject sales orders"),
                    ("approve_quotes", "Approve a quote's margin below the shop's threshold before it is sent"),
                    ("buy", "Vendors, job material, purchase orders (create, send, cancel, close)"),
                    ("close_orders", "Close shipped sales orders"),
                    ("edit_orders", "Create, edit, submit and cancel sales orders"),
                    ("edit_quotes", "Prepare, send, revise, accept and decline quotes"),
                    ("manage_customers", "Create and edit customers and items"),
                    ("manage_jobs", "Release, hold and cancel job orders"),
                    ("plan_jobs", "Edit job routings"),
                    ("receive", "Receive material and pieces back from vendors, ship pieces out to vendors"),
                    ("run_floor", "Use the shop floor board: run operations, report pieces, hold jobs, add notes"),
                    ("ship", "Create, pack, ship and print shipments"),
                    ("view_jobs", "View job orders"),
                    ("view_orders", "View customers, items and sales orders"),
                    ("view_purchasing", "View vendors, purchase orders, receipts and ship-outs"),
                    ("view_quotes", "View quotes and their estimates"),
                    ("view_reports", "View reports and dashboards"),
                    ("view_shipments", "View shipments"),
                    ("void_shipments", "Void shipped shipments"),
                ],
            },
        ),
        migrations.RunPython(grant_roles, revoke),
        migrations.RunPython(create_sequences, migrations.RunPython.noop),
    ]
