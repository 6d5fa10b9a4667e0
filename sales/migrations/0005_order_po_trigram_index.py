"""A trigram index for the order list's search by PO (a substring search), on PostgreSQL only.

`customer_po__icontains` compiles to UPPER("customer_po"::text) LIKE UPPER('%...%') on PostgreSQL, which a
B-tree cannot serve; a GIN index of that expression with pg_trgm's operator class can. Where the role may
not create the (trusted) extension, the index is left out and the search still works, more slowly. SQLite
gets nothing.
"""

from django.db import migrations

from mto.db import index_drop, trigram_index_create

INDEX = "sales_order_po_trgm"


def create(apps, schema_editor):
    trigram_index_create(schema_editor, name=INDEX, table="sales_salesorder", column="customer_po")


def drop(apps, schema_editor):
    index_drop(schema_editor, name=INDEX)


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_change_item_drawing")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
