"""A trigram index for the order list's search by PO (a substring search), on PostgreSQL only.

`customer_po__icontains` compiles to UPPER("customer_po"::text) LIKE UPPER('%...%') on PostgreSQL, which a
B-tree cannot serve; a GIN index of that expression with pg_trgm's operator class can. Where the role may
not create the (trusted) extension, the index is left out and the search still works, more slowly. SQLite
gets nothing.
"""

from django.db import migrations, transaction

INDEX = "sales_order_po_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no privilege for the extension: keep the slower search
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON sales_salesorder USING gin ((UPPER(customer_po::text)) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_change_item_drawing")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
