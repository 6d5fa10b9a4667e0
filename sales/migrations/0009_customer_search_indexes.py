"""Indexes for the order list's search by customer: UPPER(code) (a B-tree, every database) and a trigram
index of UPPER(name) on PostgreSQL, as 0005 made for the PO.

Besides serving the lookups, the expressions' statistics (ANALYZE keeps them for indexed expressions) let
PostgreSQL see that a code names one customer: without them it guessed ten, and walked the orders' primary
key backwards through tens of thousands of rows for the newest 25 of that customer's orders (33 ms at
100,000 orders, 69 ms at 300,000) instead of sorting the few it found (about 1 ms).
"""

import django.db.models.functions.text
from django.db import migrations, models

from mto.db import index_drop, trigram_index_create

TRIGRAM = "sales_customer_name_trgm"


def create_trigram(apps, schema_editor):
    trigram_index_create(schema_editor, name=TRIGRAM, table="sales_customer", column="name")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE sales_customer")  # both expressions' statistics, for the next query


def drop_trigram(apps, schema_editor):
    index_drop(schema_editor, name=TRIGRAM)


class Migration(migrations.Migration):
    dependencies = [("sales", "0008_open_promised_and_shipped_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(django.db.models.functions.text.Upper("code"), name="customer_code_upper"),
        ),
        migrations.RunPython(create_trigram, drop_trigram, elidable=False),
    ]
