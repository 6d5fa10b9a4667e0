from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_rates(apps, schema_editor):
    """Existing entries get the work center's rate of today: the best that is known of when they ran."""
    TimeEntry = apps.get_model("jobs", "TimeEntry")
    WorkCenter = apps.get_model("jobs", "WorkCenter")
    rate = WorkCenter.objects.filter(operations__time_entries=OuterRef("pk")).values("hourly_rate")[:1]
    TimeEntry.objects.filter(hourly_rate__isnull=True).update(hourly_rate=Subquery(rate))


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0004_change_orders"),
    ]

    operations = [
        migrations.AddField(
            model_name="timeentry",
            name="hourly_rate",
            field=models.DecimalField(decimal_places=2, max_digits=9, null=True),
        ),
        migrations.RunPython(fill_rates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="timeentry",
            name="hourly_rate",
            field=models.DecimalField(decimal_places=2, max_digits=9),
        ),
        migrations.AddConstraint(
            model_name="timeentry",
            constraint=models.CheckConstraint(condition=models.Q(hourly_rate__gte=0), name="time_entry_rate_not_negative"),
        ),
    ]
