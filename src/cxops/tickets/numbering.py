"""Per-workspace ticket numbers (#1042): unique, increasing, never blocking concurrent inquiries.

PostgreSQL: one sequence per workspace. `nextval` takes no row lock, so concurrent board
submissions of one workspace no longer queue behind each other's commit (a counter row locked
until COMMIT capped a workspace at one inquiry per WAL flush). Numbers taken by a transaction that
rolls back are skipped, as with any sequence; a gap in ticket numbers is harmless.

SQLite has one writer at a time anyway, so `Workspace.ticket_seq` stays the counter there.
`Workspace.ticket_seq` also gives the starting value of a workspace's sequence when it is created.
"""

from __future__ import annotations

import threading

from django.db import connection, transaction
from django.db.models import F

from cxops.core.models import Workspace

# Workspaces whose sequence is known to exist in a committed state, per database alias and name.
_known: set[tuple[str, int]] = set()
_known_lock = threading.Lock()


def sequence_name(workspace_id: int) -> str:
    return f"cxops_ticket_number_ws{int(workspace_id)}"


def _db_key(workspace_id: int) -> tuple[str, int]:
    return (str(connection.settings_dict.get("NAME")), workspace_id)


def _ensure_sequence(workspace_id: int) -> None:
    """Create the workspace's sequence, starting after `ticket_seq`, unless it exists.

    Serialised by an advisory lock so two first submissions cannot both create it; remembered only
    once committed, since a rolled-back transaction takes its CREATE SEQUENCE with it."""
    key = _db_key(workspace_id)
    if key in _known:
        return
    name = sequence_name(workspace_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
        cursor.execute("SELECT ticket_seq FROM core_workspace WHERE id = %s", [workspace_id])
        row = cursor.fetchone()
        if row is None:
            raise Workspace.DoesNotExist(workspace_id)
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {int(row[0]) + 1} MINVALUE 1")

    def remember() -> None:
        with _known_lock:
            _known.add(key)

    if connection.in_atomic_block:
        transaction.on_commit(remember)
    else:
        remember()


def next_number(workspace_id: int) -> int:
    """The workspace's next ticket number."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_workspace SET ticket_seq = ticket_seq + 1 WHERE id = %s RETURNING ticket_seq",
                           [workspace_id])
            row = cursor.fetchone()
        if row is None:
            raise Workspace.DoesNotExist(workspace_id)
        return int(row[0])
    _ensure_sequence(workspace_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [sequence_name(workspace_id)])
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def take_numbers(workspace_id: int, count: int) -> list[int]:
    """`count` new numbers for a bulk write (import, demo, benchmark loader), in increasing order."""
    if count <= 0:
        return []
    if connection.vendor != "postgresql":
        Workspace.objects.filter(pk=workspace_id).update(ticket_seq=F("ticket_seq") + count)
        last = int(Workspace.objects.values_list("ticket_seq", flat=True).get(pk=workspace_id))
        return list(range(last - count + 1, last + 1))
    _ensure_sequence(workspace_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence_name(workspace_id), count])
        numbers = sorted(int(r[0]) for r in cursor.fetchall())
    return numbers


def last_number(workspace_id: int) -> int:
    """The last number handed out (or the starting point when none was yet)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_value FROM pg_sequences WHERE sequencename = %s",
                           [sequence_name(workspace_id)])
            row = cursor.fetchone()
        if row is not None and row[0] is not None:
            return int(row[0])
    return int(Workspace.objects.values_list("ticket_seq", flat=True).get(pk=workspace_id))


def drop_sequence(workspace_id: int) -> None:
    """Remove a deleted workspace's sequence (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE IF EXISTS {sequence_name(workspace_id)}")
    with _known_lock:
        _known.discard(_db_key(workspace_id))
