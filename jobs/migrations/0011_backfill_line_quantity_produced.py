"""Fill the order lines' stored produced pieces (sales/0006) from their jobs: the good pieces of every job of the
line that is not cancelled, as jobs.services.production.line_produced_refresh keeps it from now on."""

from django.db import migrations

FILL = """
UPDATE sales_salesorderline AS line SET quantity_produced = made.total
  FROM (SELECT sales_order_line_id, sum(quantity_completed) AS total FROM jobs_job
         WHERE sales_order_line_id IS NOT NULL AND status <> 'cancelled'
         GROUP BY sales_order_line_id) AS made
 WHERE made.sales_order_line_id = line.id AND line.quantity_produced IS DISTINCT FROM made.total
"""


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0010_operators_kiosks_labor"),
        ("sales", "0006_line_quantity_produced"),
    ]

    # Backwards: nothing to undo (sales/0006 drops the column when it is reversed).
    operations = [migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False)]
