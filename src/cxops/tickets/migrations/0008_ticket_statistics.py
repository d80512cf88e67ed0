"""PostgreSQL: joint statistics on (workspace, status, assignee).

Unassigned tickets are almost all new or open; with separate column statistics the planner
multiplies the two shares, expects a handful of rows and sorts thousands (the "unassigned"
inbox view). Joint most-common-value statistics make it walk the open-ticket index instead.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE STATISTICS IF NOT EXISTS tickets_ticket_ws_status_asg (mcv) "
                              "ON workspace_id, status, assignee_id FROM tickets_ticket")
        schema_editor.execute("ANALYZE tickets_ticket")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS tickets_ticket_ws_status_asg")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_number_assigned_last")]
    operations = [migrations.RunPython(create, drop)]
