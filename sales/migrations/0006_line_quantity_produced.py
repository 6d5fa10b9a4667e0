"""The order line's stored produced pieces (issue #22): the column and the ready-to-ship partial index.

jobs/0010 fills it from the jobs; sales/0007 then adds the constraint that a line ships no more than it produced.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0005_order_po_trigram_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='salesorderline',
            name='quantity_produced',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name='salesorderline',
            index=models.Index(condition=models.Q(('is_cancelled', False), ('quantity_produced__gt', models.F('quantity_shipped'))), fields=['order'], name='soline_ready_to_ship'),
        ),
    ]
