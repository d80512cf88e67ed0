"""Korean full-text search over tickets.

Text is analysed into morphemes by :mod:`cxops.core.text` and stored in TicketSearchDoc; the
database indexes those lexemes (PostgreSQL: a weighted, GIN-indexed tsvector; SQLite: FTS5).
Both backends get the same query: the workspace token AND every query term, so tenants never
mix and a ticket must contain all terms. When no ticket contains all of them, tickets containing
any term are returned, ranked lower.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from cxops.core.text import lexemes_many, prepare, query_lexemes
from cxops.tickets.models import Customer, MessageKind, Ticket, TicketSearchDoc

FTS_TABLE = "tickets_search_fts"
# Column weights: subject, body, people (name, phone, email, order numbers), internal notes.
SQLITE_WEIGHTS = (4.0, 1.0, 2.0, 0.5)


def workspace_token(workspace_id: int) -> str:
    return f"wsid{workspace_id}"


@dataclass(frozen=True)
class SearchDocFields:
    subject: str
    body: str
    people: str
    notes: str


def _people_text(ticket: Ticket, customer: Customer | None) -> str:
    parts = [ticket.order_number or "", ticket.external_id or ""]
    if customer is not None:
        parts += [customer.name, *customer.phones, *customer.emails]
        parts += [str(v) for v in customer.external_ids.get("orders", [])]
        if customer.external_ids.get("mall_user_id"):
            parts.append(str(customer.external_ids["mall_user_id"]))
    return " ".join(p for p in parts if p)


def build_fields(ticket: Ticket, messages: Sequence[tuple[str, str]], customer: Customer | None,
                 tags: Sequence[str] = ()) -> tuple[str, str, str, str]:
    """Raw texts for the four columns; messages are (kind, body_text) pairs."""
    public = "\n".join(body for kind, body in messages if kind in (MessageKind.CUSTOMER, MessageKind.REPLY))
    notes = "\n".join(body for kind, body in messages if kind == MessageKind.NOTE)
    subject = " ".join([ticket.subject, *tags, *([str(ticket.number)] if ticket.number is not None else [])])
    return subject, public, _people_text(ticket, customer), notes


def _whole_terms(customer: Customer | None, tags: Sequence[str]) -> tuple[list[str], list[str]]:
    """Names and tags are also kept whole: Kiwi may split a rare name or a short tag."""
    name = [customer.name.replace(" ", "").lower()] if customer and customer.name else []
    tag_terms = [t for t in (tag.replace(" ", "").lower() for tag in tags) if t]
    return name, tag_terms


def docs_for_many(rows: Sequence[tuple[Ticket, Sequence[tuple[str, str]], Customer | None, Sequence[str]]]
                  ) -> list[SearchDocFields]:
    """Search documents for (ticket, messages, customer, tags) rows, with one Kiwi call per batch."""
    raw = [build_fields(ticket, messages, customer, tags) for ticket, messages, customer, tags in rows]
    analysed = lexemes_many([text for fields in raw for text in fields])
    result = []
    for i, (ticket, _messages, customer, tags) in enumerate(rows):
        subject, body, people, notes = analysed[i * 4: i * 4 + 4]
        name_terms, tag_terms = _whole_terms(customer, tags)
        result.append(SearchDocFields(
            subject=" ".join([workspace_token(ticket.workspace_id), *subject, *tag_terms]),
            body=" ".join(body),
            people=" ".join(people + name_terms),
            notes=" ".join(notes),
        ))
    return result


def prepare_new_ticket(*, subject: str, body_text: str) -> None:
    """Analyse a coming ticket's subject and first message before its write transaction opens,
    so `docs_for_many` inside the transaction finds them ready (the columns are built as there)."""
    prepare([subject, body_text])


def doc_for(ticket: Ticket) -> SearchDocFields:
    messages = list(ticket.messages.exclude(kind=MessageKind.EVENT).values_list("kind", "body_text"))
    tags = list(ticket.tags.values_list("name", flat=True))
    return docs_for_many([(ticket, messages, ticket.customer, tags)])[0]


def index_new_ticket(ticket: Ticket, fields: SearchDocFields) -> None:
    """Store the document of a ticket just created, analysed (by :func:`doc_for`) before its number
    was handed out; the number, a plain digit term, is added here."""
    TicketSearchDoc.objects.create(
        ticket_id=ticket.pk, workspace_id=ticket.workspace_id, subject=f"{fields.subject} {ticket.number}",
        body=fields.body, people=fields.people, notes=fields.notes, created_at=ticket.created_at)


def index_ticket(ticket: Ticket) -> None:
    """(Re)build one ticket's search document."""
    fields = doc_for(ticket)
    TicketSearchDoc.objects.update_or_create(
        ticket_id=ticket.pk,
        defaults={"workspace_id": ticket.workspace_id, "subject": fields.subject, "body": fields.body,
                  "people": fields.people, "notes": fields.notes, "created_at": ticket.created_at},
    )


def index_ticket_id(ticket_id: int) -> None:
    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
    if ticket is not None:
        index_ticket(ticket)


@dataclass(frozen=True)
class Hit:
    ticket_id: int
    score: float


def _quote_fts(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _sqlite_search(workspace_id: int, terms: Sequence[str], include_notes: bool, limit: int,
                   require_all: bool) -> list[Hit]:
    joiner = " AND " if require_all else " OR "
    body = joiner.join(_quote_fts(t) for t in terms)
    columns = "{subject body people notes}" if include_notes else "{subject body people}"
    expression = f'subject : {_quote_fts(workspace_token(workspace_id))} AND {columns} : ({body})'
    weights = ", ".join(str(w) for w in SQLITE_WEIGHTS)
    sql = (f"SELECT rowid, bm25({FTS_TABLE}, {weights}) AS rank FROM {FTS_TABLE} "
           f"WHERE {FTS_TABLE} MATCH %s ORDER BY rank LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression, limit])
        # bm25() is lower-is-better and negative; flip it so a higher score is better everywhere.
        return [Hit(int(row[0]), round(-float(row[1]), 4)) for row in cursor.fetchall()]


def _pg_term(term: str, include_notes: bool) -> str:
    escaped = term.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'" + ("" if include_notes else ":ABC")


# A common word matches a large share of a workspace: then only its newest matches are ranked
# (PG_DENSE_WINDOW of them, found by walking the (workspace, created_at) index newest first).
# A rarer word is looked up in the GIN index and all its matches are ranked. Each plan reads at
# most about sqrt(PG_DENSE_WINDOW × documents) rows, the point where the two cost the same, so
# a query over a million tickets stays fast whatever the word. The choice uses the column
# statistics: the planner alone multiplies the frequencies of correlated words ("유통 & 기한").
PG_DENSE_WINDOW = 500
_STATS_TTL_S = 600

_PG_SPARSE = (
    "SELECT d.ticket_id, ts_rank_cd(d.tsv, q, 1) FROM tickets_ticketsearchdoc d, to_tsquery('simple', %s) q "
    "WHERE d.workspace_id = %s AND d.tsv @@ q LIMIT %s"
)
_PG_DENSE = (
    "SELECT r.ticket_id, ts_rank_cd(r.tsv, q, 1) FROM ("
    "  SELECT d.ticket_id, d.tsv, d.created_at FROM tickets_ticketsearchdoc d"
    "  WHERE d.workspace_id = %s ORDER BY d.created_at DESC LIMIT %s"
    ") r, to_tsquery('simple', %s) q WHERE r.tsv @@ q ORDER BY r.created_at DESC LIMIT %s"
)
_PLAN_SETTINGS = ("enable_indexscan", "enable_bitmapscan", "enable_seqscan")


@dataclass
class _TermStats:
    loaded_at: float
    rows: float
    freqs: dict[str, float]
    floor: float


_term_stats: _TermStats | None = None


def _pg_term_stats() -> _TermStats:
    """Lexeme frequencies from ANALYZE's statistics of the tsvector column, cached per process."""
    import time

    global _term_stats
    now = time.monotonic()
    if _term_stats is not None and now - _term_stats.loaded_at < _STATS_TTL_S:
        return _term_stats
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'tickets_ticketsearchdoc'")
        row = cursor.fetchone()
        rows = max(float(row[0]) if row else 0.0, 0.0)
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'tickets_ticketsearchdoc' AND attname = 'tsv'"
        )
        stats = cursor.fetchone()
    freqs: dict[str, float] = {}
    floor = 0.0
    if stats and stats[0]:
        elems, values = stats[0], stats[1]
        freqs = {str(e): float(f) for e, f in zip(elems, values, strict=False)}
        # The list ends with min, max and null frequency; words not listed are rarer than min.
        floor = float(values[len(elems)]) if len(values) > len(elems) else 0.0
    _term_stats = _TermStats(loaded_at=now, rows=rows, freqs=freqs, floor=floor)
    return _term_stats


def _expected_matches(terms: Sequence[str], require_all: bool) -> float:
    stats = _pg_term_stats()
    freqs = [stats.freqs.get(term, stats.floor) for term in terms]
    # AND: the rarest word bounds the matches (correlated words are not multiplied away).
    share = min(freqs) if require_all else min(sum(freqs), 1.0)
    return share * stats.rows


def _pg_search(workspace_id: int, terms: Sequence[str], include_notes: bool, limit: int,
               require_all: bool) -> list[Hit]:
    from django.db import transaction

    joiner = " & " if require_all else " | "
    query = joiner.join(_pg_term(t, include_notes) for t in terms)
    stats = _pg_term_stats()
    crossover = max(int((PG_DENSE_WINDOW * max(stats.rows, 1.0)) ** 0.5), 4 * PG_DENSE_WINDOW)
    expected = _expected_matches(terms, require_all)

    def sparse(cursor: Any) -> list[tuple[int, float]]:
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = on")
        cursor.execute(_PG_SPARSE, [query, workspace_id, crossover + 1])
        return list(cursor.fetchall())

    def dense(cursor: Any, walk: int) -> list[tuple[int, float]]:
        cursor.execute("SET LOCAL enable_indexscan = on")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(_PG_DENSE, [workspace_id, walk, query, PG_DENSE_WINDOW])
        return list(cursor.fetchall())

    with transaction.atomic(), connection.cursor() as cursor:
        try:
            if expected > crossover:
                # Common across the table: its newest matches should be near. The walk stops as
                # soon as the window is full, so its cap costs nothing when the word is dense; the
                # cap is `crossover` rows (what the index plan may read anyway), so a word that is
                # rare among the newest tickets (a burst of unrelated inquiries) still fills the
                # window from the walk. If this workspace uses the word less still, the index
                # finds what there is.
                walk = max(int(PG_DENSE_WINDOW * stats.rows / expected * 4), crossover)
                rows = dense(cursor, walk)
                if len(rows) < PG_DENSE_WINDOW:
                    rows = sparse(cursor)
            else:
                rows = sparse(cursor)
                if len(rows) > crossover:
                    # More matches than expected: at least `crossover` of them, so the newest
                    # window is reached within about `crossover` rows of the walk.
                    rows = dense(cursor, 4 * crossover)
        finally:
            for setting in _PLAN_SETTINGS:
                cursor.execute(f"SET LOCAL {setting} = on")
    rows.sort(key=lambda row: (-float(row[1]), -int(row[0])))
    return [Hit(int(row[0]), round(float(row[1]), 4)) for row in rows[:limit]]


def search_ticket_ids(*, workspace_id: int, query: str, include_notes: bool = True, limit: int = 50) -> list[Hit]:
    """Best-first ticket ids for a free-text query within one workspace."""
    terms = query_lexemes(query)
    if not terms:
        return []
    run = _pg_search if connection.vendor == "postgresql" else _sqlite_search
    hits = run(workspace_id, terms, include_notes, limit, True)
    if not hits and len(terms) > 1:
        hits = run(workspace_id, terms, include_notes, limit, False)
    return hits


# --- schema: created by the migration, one statement list per database ---------------------------

SQLITE_SCHEMA = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(subject, body, people, notes, "
    "content='tickets_ticketsearchdoc', content_rowid='ticket_id', tokenize='unicode61 remove_diacritics 0')",
    f"""CREATE TRIGGER IF NOT EXISTS tickets_search_ai AFTER INSERT ON tickets_ticketsearchdoc BEGIN
        INSERT INTO {FTS_TABLE}(rowid, subject, body, people, notes)
        VALUES (new.ticket_id, new.subject, new.body, new.people, new.notes); END""",
    f"""CREATE TRIGGER IF NOT EXISTS tickets_search_ad AFTER DELETE ON tickets_ticketsearchdoc BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, subject, body, people, notes)
        VALUES ('delete', old.ticket_id, old.subject, old.body, old.people, old.notes); END""",
    f"""CREATE TRIGGER IF NOT EXISTS tickets_search_au AFTER UPDATE ON tickets_ticketsearchdoc BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, subject, body, people, notes)
        VALUES ('delete', old.ticket_id, old.subject, old.body, old.people, old.notes);
        INSERT INTO {FTS_TABLE}(rowid, subject, body, people, notes)
        VALUES (new.ticket_id, new.subject, new.body, new.people, new.notes); END""",
]
SQLITE_SCHEMA_DROP = [
    "DROP TRIGGER IF EXISTS tickets_search_ai", "DROP TRIGGER IF EXISTS tickets_search_ad",
    "DROP TRIGGER IF EXISTS tickets_search_au", f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
POSTGRES_SCHEMA = [
    """ALTER TABLE tickets_ticketsearchdoc ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', subject), 'A') || setweight(to_tsvector('simple', body), 'B') ||
        setweight(to_tsvector('simple', people), 'C') || setweight(to_tsvector('simple', notes), 'D')) STORED""",
    "CREATE INDEX tickets_search_tsv_gin ON tickets_ticketsearchdoc USING gin (tsv)",
]
POSTGRES_SCHEMA_DROP = [
    "DROP INDEX IF EXISTS tickets_search_tsv_gin",
    "ALTER TABLE tickets_ticketsearchdoc DROP COLUMN IF EXISTS tsv",
]


def index_ticket_ids(ticket_ids: Sequence[int], *, batch_size: int = 500) -> int:
    """(Re)build the search documents of many tickets in batches: imports, demo data, reindex."""
    from django.db import transaction

    from cxops.tickets.models import Message

    ids = sorted(ticket_ids)
    for start in range(0, len(ids), batch_size):
        chunk = ids[start: start + batch_size]
        tickets = list(Ticket.objects.filter(pk__in=chunk).select_related("customer").order_by("pk"))
        messages: dict[int, list[tuple[str, str]]] = {t.pk: [] for t in tickets}
        for ticket_id, kind, body in (Message.objects.filter(ticket_id__in=chunk).exclude(kind=MessageKind.EVENT)
                                      .order_by("created_at", "id").values_list("ticket_id", "kind", "body_text")):
            messages[ticket_id].append((kind, body))
        tags: dict[int, list[str]] = {t.pk: [] for t in tickets}
        for ticket_id, name in (Ticket.tags.through.objects.filter(ticket_id__in=chunk)
                                .order_by("tag__name").values_list("ticket_id", "tag__name")):
            tags[ticket_id].append(name)
        docs = docs_for_many([(t, messages[t.pk], t.customer, tags[t.pk]) for t in tickets])
        with transaction.atomic():
            TicketSearchDoc.objects.filter(ticket_id__in=chunk).delete()
            TicketSearchDoc.objects.bulk_create([
                TicketSearchDoc(ticket_id=t.pk, workspace_id=t.workspace_id, subject=d.subject, body=d.body,
                                people=d.people, notes=d.notes, created_at=t.created_at)
                for t, d in zip(tickets, docs, strict=True)
            ])
    return len(ids)


def reindex_workspace(*, workspace_id: int, batch_size: int = 500) -> int:
    """Rebuild every search document of a workspace."""
    ids = list(Ticket.objects.filter(workspace_id=workspace_id).values_list("pk", flat=True))
    return index_ticket_ids(ids, batch_size=batch_size)
