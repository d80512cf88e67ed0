"""Import knowledge-base articles from CSV, XLSX or JSONL, and export them back (`cxops kb import|export`).

Columns (header matched case-insensitively, ignoring spaces, "_", "-", "."; Korean headers work):
external_id (required: 외부ID, 문서ID, id), title (required: 제목), body (required: 본문, 내용, 답변),
category (분류, 카테고리), tags (태그; separated by "," ";" "|"), and optionally audience (대상: public/internal,
공개/내부), status (상태: draft/published, 초안/게시), product (상품), language (언어: ko/en).
JSONL files carry the same keys, one JSON object per line.

Behaviour: upsert by external_id within the workspace; every row is validated first; if any row
fails nothing is written and each error is reported as {"row", "column", "value", "message"}.
Body text is taken as HTML when it contains tags, otherwise as plain text (paragraphs kept).
Missing categories are created. New articles are published unless the file says otherwise.
After the write the vectors of changed published articles are computed in batches, so
suggestions are ready when the command returns.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from cxops.core.models import User, Workspace
from cxops.core.sanitize import text_to_html
from cxops.core.services import ServiceError
from cxops.knowledge import services
from cxops.knowledge.models import Article, ArticleStatus, Audience, Language
from cxops.tickets.importer import FileProblem, formula_safe, header_key, read_table, split_tags

COLUMNS = ("external_id", "title", "body", "category", "tags", "audience", "status", "product", "language")
REQUIRED = ("external_id", "title", "body")
MAX_ERRORS = 1000


_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "id", "외부ID", "외부아이디", "문서ID", "문서번호", "번호"),
    "title": ("title", "subject", "question", "제목", "질문", "문서제목"),
    "body": ("body", "content", "answer", "본문", "내용", "답변"),
    "category": ("category", "분류", "카테고리", "유형"),
    "tags": ("tags", "tag", "태그", "키워드"),
    "audience": ("audience", "대상", "공개범위", "공개대상"),
    "status": ("status", "상태", "게시상태"),
    "product": ("product", "상품", "상품명", "제품"),
    "language": ("language", "lang", "언어"),
}
HEADERS = {header_key(alias): column for column, aliases in _ALIASES.items() for alias in aliases}
AUDIENCE_WORDS: dict[str, str] = {**{header_key(w): Audience.PUBLIC for w in ("public", "공개", "고객", "고객용", "외부")},
                  **{header_key(w): Audience.INTERNAL for w in ("internal", "내부", "상담원", "상담원용", "비공개")}}
STATUS_WORDS: dict[str, str] = {**{header_key(w): ArticleStatus.PUBLISHED for w in ("published", "publish", "게시", "게시됨", "공개됨")},
                **{header_key(w): ArticleStatus.DRAFT for w in ("draft", "초안", "임시", "작성중")}}
LANGUAGE_WORDS: dict[str, str] = {**{header_key(w): Language.KO for w in ("ko", "kor", "korean", "한국어", "국문")},
                  **{header_key(w): Language.EN for w in ("en", "eng", "english", "영어", "영문")}}
_HTML = re.compile(r"<(p|br|div|ul|ol|li|h[1-6]|strong|em|b|i|a|img|table)\b", re.IGNORECASE)


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list, repr=False)

    def error(self, *, row: int | None, column: str | None, value: Any, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            shown = None if value is None else str(value)[:200]
            self.errors.append({"row": row, "column": column, "value": shown, "message": message})

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "errors": self.errors}


@dataclass
class Row:
    number: int
    values: dict[str, str]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\ufeff", "").strip()


def _read_jsonl(path: Path, summary: ImportSummary) -> list[Row]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise FileProblem(f"파일을 찾을 수 없습니다: {path}") from None
    except UnicodeDecodeError:
        raise FileProblem("JSONL 파일은 UTF-8로 저장해 주세요.") from None
    rows: list[Row] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            summary.error(row=number, column=None, value=line[:80], message=f"올바른 JSON이 아닙니다: {exc.msg}")
            continue
        if not isinstance(data, dict):
            summary.error(row=number, column=None, value=line[:80], message="한 줄에 JSON 객체 하나씩 넣어 주세요.")
            continue
        values: dict[str, str] = {}
        for key, value in data.items():
            column = HEADERS.get(header_key(str(key)))
            if column is None:
                continue
            if column == "tags" and isinstance(value, list):
                values[column] = ", ".join(str(v) for v in value)
            else:
                values[column] = _cell(value)
        rows.append(Row(number, values))
    return rows


def _read_tabular(path: Path, summary: ImportSummary) -> list[Row] | None:
    table = read_table(path)
    columns: dict[int, str] = {}
    for index, header in enumerate(table.headers):
        column = HEADERS.get(header_key(header))
        if column is None:
            continue
        if column in columns.values():
            summary.error(row=table.header_row, column=header, value=header, message=f"같은 열이 두 번 있습니다: {header}")
        columns[index] = column
    missing = [c for c in REQUIRED if c not in columns.values()]
    for column in missing:
        summary.error(row=table.header_row, column=column, value=None,
                      message=f"필수 열이 없습니다: {column}. 첫 행에 열 이름을 넣어 주세요.")
    if summary.errors:
        return None
    return [Row(number, {column: _cell(cells[i]) if i < len(cells) else "" for i, column in columns.items()})
            for number, cells in table.rows]


def read_rows(path: Path, summary: ImportSummary) -> list[Row]:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return _read_jsonl(path, summary)
    return _read_tabular(path, summary) or []


@dataclass
class Parsed:
    row: int
    data: services.ArticleInput
    category: str
    status: str | None


def _parse(row: Row, summary: ImportSummary, seen: dict[str, int]) -> Parsed | None:
    v = row.values
    ok = True

    def bad(column: str, message: str) -> None:
        nonlocal ok
        ok = False
        summary.error(row=row.number, column=column, value=v.get(column), message=message)

    external_id = v.get("external_id", "")
    if not external_id:
        bad("external_id", "external_id가 비어 있습니다.")
    elif len(external_id) > 120:
        bad("external_id", "external_id는 120자 이하여야 합니다.")
    elif external_id in seen:
        bad("external_id", f"같은 external_id가 {seen[external_id]}행에도 있습니다.")
    else:
        seen[external_id] = row.number
    title = " ".join(v.get("title", "").split())
    if not title:
        bad("title", "제목이 비어 있습니다.")
    elif len(title) > 200:
        bad("title", "제목은 200자 이하로 줄여 주세요.")
    body = v.get("body", "")
    if not body.strip():
        bad("body", "본문이 비어 있습니다.")
    audience: str = Audience.PUBLIC
    if v.get("audience"):
        audience = AUDIENCE_WORDS.get(header_key(v["audience"]), "")
        if not audience:
            bad("audience", "대상은 public(공개) 또는 internal(내부)로 넣어 주세요.")
    status: str | None = None
    if v.get("status"):
        status = STATUS_WORDS.get(header_key(v["status"]))
        if status is None:
            bad("status", "상태는 published(게시) 또는 draft(초안)로 넣어 주세요.")
    language: str = Language.KO
    if v.get("language"):
        language = LANGUAGE_WORDS.get(header_key(v["language"]), "")
        if not language:
            bad("language", "언어는 ko 또는 en으로 넣어 주세요.")
    category = " ".join(v.get("category", "").split())
    if len(category) > 80:
        bad("category", "분류 이름은 80자 이하로 넣어 주세요.")
    if not ok:
        return None
    html = body if _HTML.search(body) else text_to_html(body)
    return Parsed(row=row.number, category=category, status=status, data=services.ArticleInput(
        title=title, body=html, tags=split_tags(v.get("tags", "")), product=v.get("product", "")[:160],
        audience=audience, language=language, external_id=external_id))


def import_articles_file(*, workspace: Workspace, path: str | Path, by: User | None = None,
                         index: bool = True) -> ImportSummary:
    summary = ImportSummary()
    try:
        rows = read_rows(Path(path), summary)
    except FileProblem as exc:
        summary.error(row=None, column=None, value=None, message=str(exc))
        return summary
    seen: dict[str, int] = {}
    parsed = [p for p in (_parse(row, summary, seen) for row in rows) if p is not None]
    if not rows and not summary.errors:
        summary.error(row=None, column=None, value=None, message="가져올 행이 없습니다.")
    if summary.errors:
        return summary
    try:
        with services.bulk_changes():
            _write(workspace=workspace, parsed=parsed, by=by, summary=summary)
    except ServiceError as exc:
        summary.created = summary.updated = summary.unchanged = 0
        summary.error(row=getattr(exc, "row", None), column=None, value=None, message=str(exc))
        return summary
    if summary.article_ids:
        if index:
            reindex(workspace=workspace, article_ids=summary.article_ids)
        else:
            services.kb_version_bump(workspace_id=workspace.pk)
    return summary


@transaction.atomic
def _write(*, workspace: Workspace, parsed: list[Parsed], by: User | None, summary: ImportSummary) -> None:
    existing = {a.external_id: a for a in Article.objects.filter(
        workspace=workspace, external_id__in=[p.data.external_id for p in parsed])}
    categories: dict[str, int | None] = {}
    for p in parsed:
        if p.category not in categories:
            category = services.category_for_name(workspace=workspace, name=p.category)
            categories[p.category] = category.pk if category else None
        p.data.category_id = categories[p.category]
        article = existing.get(p.data.external_id)
        try:
            if article is None:
                created = services.article_create(workspace=workspace, data=p.data, by=by,
                                                  status=p.status or ArticleStatus.PUBLISHED)
                summary.created += 1
                summary.article_ids.append(created.pk)
            else:
                version = article.version
                updated = services.article_update(article=article, data=p.data, by=by)
                if p.status and p.status != updated.status:
                    updated = services.article_set_status(article=updated, status=p.status, by=by)
                if updated.version != version:
                    summary.updated += 1
                    summary.article_ids.append(updated.pk)
                else:
                    summary.unchanged += 1
        except ServiceError as exc:
            exc.row = p.row  # type: ignore[attr-defined]
            raise


def reindex(*, workspace: Workspace, article_ids: list[int] | None = None) -> int:
    """Compute missing/outdated vectors of published articles (all, or these) in batches; bumps the KB
    version so every process rebuilds its suggestion index. Returns the number of articles indexed."""
    qs = Article.objects.filter(workspace=workspace, status=ArticleStatus.PUBLISHED).select_related("category")
    if article_ids is not None:
        qs = qs.filter(pk__in=article_ids)
    from cxops.knowledge.models import ArticleStep

    articles = list(qs.order_by("pk"))
    steps: dict[int, list[str]] = {}
    for article_id, text in (ArticleStep.objects.filter(article__in=[a.pk for a in articles])
                             .order_by("article_id", "position", "id").values_list("article_id", "text")):
        steps.setdefault(article_id, []).append(text)
    passages = [services.passage_for(a, "\n".join(f"{n}. {t}" for n, t in enumerate(steps.get(a.pk, []), start=1)))
                for a in articles]
    services.embeddings_refresh(articles=articles, passages=passages)
    services.kb_version_bump(workspace_id=workspace.pk)
    return len(articles)


# --- export -----------------------------------------------------------------------------------------

def export_rows(workspace: Workspace) -> Iterator[dict[str, str]]:
    for a in Article.objects.filter(workspace=workspace).select_related("category").order_by("pk").iterator(1000):
        yield {"external_id": a.external_id or f"cxops-{a.pk}", "title": a.title, "body": a.body,
               "category": a.category.name if a.category else "", "tags": ", ".join(a.tags or []),
               "audience": a.audience, "status": a.status, "product": a.product, "language": a.language}


def export_articles(*, workspace: Workspace, fmt: str, handle: Any) -> int:
    """Write every article to an open text handle (csv, jsonl) or binary handle (xlsx)."""
    count = 0
    if fmt == "jsonl":
        for row in export_rows(workspace):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
    if fmt == "csv":
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in export_rows(workspace):
            writer.writerow([formula_safe(row[c]) for c in COLUMNS])
            count += 1
        return count
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("articles")
        sheet.append(list(COLUMNS))
        for row in export_rows(workspace):
            cells = []
            for column in COLUMNS:
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", row[column]))
                cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
            count += 1
        workbook.save(handle)
        return count
    raise ServiceError("형식은 csv, xlsx, jsonl 중 하나여야 합니다.")
