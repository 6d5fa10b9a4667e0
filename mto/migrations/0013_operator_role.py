from django.db import migrations

# Operators (issue 21): a new role for the people at the machines. They never log in with a password: they
# identify on a kiosk tablet of a work center with a badge or a PIN, and there they run operations, report
# pieces, add notes, record inspections and open NCRs. Frozen data, as every role migration: no live table.
CAPABILITIES = {
    "operate": "On a kiosk tablet (badge or PIN): run operations, report pieces, clock in and out, add notes",
    # Existing capabilities the new role is granted (the names as mto 0010 made them).
    "record_inspections": "Record measured values and pass/fail results at an operation",
    "open_ncrs": "Open a non-conformance report from scrap or a failed inspection",
}
GRANTS = {
    "Operator": {"operate", "record_inspections", "open_ncrs"},
}
NEW = ("operate",)


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


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(content_type__app_label="mto", codename__in=NEW).delete()
    apps.get_model("auth", "Group").objects.filter(name="Operator").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mto", "0012_first_article_capabilities"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='capability',
            options={'default_permissions': (), 'managed': False, 'permissions': [('accept_first_articles', 'Accept or reject a recorded first-article inspection'), ('approve_orders', 'Approve or reject sales orders'), ('approve_quotes', "Approve a quote's margin below the shop's threshold before it is sent"), ('buy', 'Vendors, job material, purchase orders (create, send, cancel, close)'), ('close_orders', 'Close shipped sales orders'), ('disposition_ncrs', 'Disposition non-conformance reports (scrap, rework, use as is, return, remake), close them'), ('edit_orders', 'Create, edit, submit and cancel sales orders'), ('edit_quality_plans', 'Enter and change the inspection plans of items'), ('edit_quotes', 'Prepare, send, revise, accept and decline quotes'), ('manage_customers', 'Create and edit customers and items'), ('manage_jobs', 'Release, hold and cancel job orders'), ('open_ncrs', 'Open a non-conformance report from scrap or a failed inspection'), ('operate', 'On a kiosk tablet (badge or PIN): run operations, report pieces, clock in and out, add notes'), ('plan_jobs', 'Edit job routings'), ('print_certificate_packs', "Print a shipment's certificate pack: the CoC with its inspections and certificates"), ('receive', 'Receive material and pieces back from vendors, ship pieces out to vendors'), ('record_inspections', 'Record measured values and pass/fail results at an operation'), ('run_floor', 'Use the shop floor board: run operations, report pieces, hold jobs, add notes'), ('ship', 'Create, pack, ship and print shipments'), ('trace_shipments', 'Trace shipments back to heats, certificates, inspections and operators; recall by heat or lot'), ('view_jobs', 'View job orders'), ('view_orders', 'View customers, items and sales orders'), ('view_purchasing', 'View vendors, purchase orders, receipts and ship-outs'), ('view_quality', 'View inspection plans, inspection results and non-conformance reports'), ('view_quality_reports', 'View the quality reports (scrap and NCR Pareto, cost of poor quality, first-pass yield)'), ('view_quotes', 'View quotes and their estimates'), ('view_reports', 'View reports and dashboards'), ('view_shipments', 'View shipments'), ('void_shipments', 'Void shipped shipments')]},
        ),
        migrations.RunPython(grant_roles, revoke),
    ]
