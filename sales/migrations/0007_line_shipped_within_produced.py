"""A line never ships more than its jobs produced: a constraint once jobs/0010 has filled the produced figure."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0006_line_quantity_produced"),
        # The figure is filled by the jobs app (which knows the jobs) before the constraint can hold.
        ("jobs", "0011_backfill_line_quantity_produced"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="salesorderline",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity_shipped__lte", models.F("quantity_produced"))),
                name="soline_shipped_within_produced",
            ),
        ),
    ]
