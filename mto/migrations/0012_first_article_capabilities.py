from django.db import migrations

# Quality (issue 19, first articles and reports): accepting or rejecting a recorded first-article inspection,
# and reading the quality reports, belong to Quality and Managers. Frozen data, as every role migration.
CAPABILITIES = {
    "accept_first_articles": "Accept or reject a recorded first-article inspection",
    "view_quality_reports": "View the quality reports (scrap and NCR Pareto, cost of poor quality, first-pass yield)",
}
GRANTS = {
    "Quality": {"accept_first_articles", "view_quality_reports"},
    "Manager": {"accept_first_articles", "view_quality_reports"},
}
NEW = tuple(CAPABILITIES)


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


class Migration(migrations.Migration):
    dependencies = [
        ("mto", "0011_trace_capabilities"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='capability',
            options={'default_permissions': (), 'managed': False, 'permissions': [('accept_first_articles', 'Accept or reject a recorded first-article inspection'), ('approve_orders', 'Approve or reject sales orders'), ('approve_quotes', "Approve a quote's margin below the shop's threshold before it is sent"), ('buy', 'Vendors, job material, purchase orders (create, send, cancel, close)'), ('close_orders', 'Close shipped sales orders'), ('disposition_ncrs', 'Disposition non-conformance reports (scrap, rework, use as is, return, remake), close them'), ('edit_orders', 'Create, edit, submit and cancel sales orders'), ('edit_quality_plans', 'Enter and change the inspection plans of items'), ('edit_quotes', 'Prepare, send, revise, accept and decline quotes'), ('manage_customers', 'Create and edit customers and items'), ('manage_jobs', 'Release, hold and cancel job orders'), ('open_ncrs', 'Open a non-conformance report from scrap or a failed inspection'), ('plan_jobs', 'Edit job routings'), ('print_certificate_packs', "Print a shipment's certificate pack: the CoC with its inspections and certificates"), ('receive', 'Receive material and pieces back from vendors, ship pieces out to vendors'), ('record_inspections', 'Record measured values and pass/fail results at an operation'), ('run_floor', 'Use the shop floor board: run operations, report pieces, hold jobs, add notes'), ('ship', 'Create, pack, ship and print shipments'), ('trace_shipments', 'Trace shipments back to heats, certificates, inspections and operators; recall by heat or lot'), ('view_jobs', 'View job orders'), ('view_orders', 'View customers, items and sales orders'), ('view_purchasing', 'View vendors, purchase orders, receipts and ship-outs'), ('view_quality', 'View inspection plans, inspection results and non-conformance reports'), ('view_quality_reports', 'View the quality reports (scrap and NCR Pareto, cost of poor quality, first-pass yield)'), ('view_quotes', 'View quotes and their estimates'), ('view_reports', 'View reports and dashboards'), ('view_shipments', 'View shipments'), ('void_shipments', 'Void shipped shipments')]},
        ),
        migrations.RunPython(grant_roles, revoke),
    ]
