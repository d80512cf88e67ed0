"""Full-text index over TicketSearchDoc: FTS5 on SQLite, a generated tsvector + GIN on PostgreSQL."""

from django.db import migrations


def create_index(apps, schema_editor):
    from cxops.tickets import search

    statements = search.POSTGRES_SCHEMA if schema_editor.connection.vendor == "postgresql" else search.SQLITE_SCHEMA
    for statement in statements:
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    from cxops.tickets import search

    statements = (search.POSTGRES_SCHEMA_DROP if schema_editor.connection.vendor == "postgresql"
                  else search.SQLITE_SCHEMA_DROP)
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
