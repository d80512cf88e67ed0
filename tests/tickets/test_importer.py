from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from cxops.cli import main
from cxops.core.models import AuditEvent, Workspace
from cxops.tickets import search
from cxops.tickets.channels.base import CustomerRef
from cxops.tickets.importer import COLUMNS, export_tickets_file, import_tickets_file, parse_datetime
from cxops.tickets.models import (
    Category,
    Customer,
    CustomerIdentity,
    Message,
    MessageKind,
    Product,
    Status,
    Tag,
    Ticket,
    TicketSearchDoc,
    WorkspaceStatus,
)
from cxops.tickets.services import customer_find_or_create, customer_merge, customers_find_or_create_many
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
SEOUL = ZoneInfo("Asia/Seoul")
HEADER = ["external_id", "created_at", "channel", "status", "subject", "body", "customer_name", "customer_phone",
          "customer_email", "category", "product", "tags", "assignee"]


@pytest.fixture
def assignee(workspace: Workspace):
    return make_member(workspace, "agent", user=make_user(email="kim@cx.example.kr"))


def rows_sample() -> list[list[str]]:
    return [
        ["A-1", "2026-03-14 09:30", "전화", "해결", "환불 문의", "지난주 주문한 사과가 상해서 환불 받고 싶어요",
         "김민수", "010-1234-5678", "minsu@example.com", "취소/교환/반품 > 환불", "부사 사과 5kg", "환불, 신선식품",
         "kim@cx.example.kr"],
        ["A-2", "2026.03.15 14:05", "board", "open", "배송이 늦어요", "주문번호 20260315-0001 배송 언제 오나요",
         "이영희", "01098765432", "", "배송 지연", "", "배송|지연", ""],
        ["A-3", "2026/03/16", "카카오톡", "", "쿠폰 적용", "쿠폰이 적용되지 않습니다", "", "", "", "", "", "", ""],
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], header: list[str] = HEADER, blank_rows_before: int = 0) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for _ in range(blank_rows_before):
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def assert_sample_imported(workspace: Workspace) -> None:
    tickets = {t.external_id: t for t in Ticket.objects.filter(workspace=workspace)
               .select_related("category__parent", "product", "customer", "assignee")}
    assert set(tickets) == {"A-1", "A-2", "A-3"}
    a1, a2, a3 = tickets["A-1"], tickets["A-2"], tickets["A-3"]
    assert (a1.channel, a1.status, a1.subject) == ("phone", Status.SOLVED, "환불 문의")
    assert a1.created_at == datetime(2026, 3, 14, 0, 30, tzinfo=UTC)
    assert a1.solved_at == a1.created_at
    assert str(a1.category) == "취소/교환/반품 > 환불"
    assert a1.product.name == "부사 사과 5kg"
    assert sorted(a1.tags.values_list("name", flat=True)) == ["신선식품", "환불"]
    assert a1.assignee.email == "kim@cx.example.kr"
    assert a1.customer.name == "김민수"
    assert a1.customer.phones == ["01012345678"] and a1.customer.emails == ["minsu@example.com"]
    first = a1.messages.get()
    assert (first.kind, first.body_text, first.author_name) == (MessageKind.CUSTOMER, rows_sample()[0][5], "김민수")
    assert first.created_at == a1.created_at and a1.message_count == 1
    assert str(a2.category) == "배송 > 배송 지연"  # a single name finds the one sub-category
    assert sorted(a2.tags.values_list("name", flat=True)) == ["배송", "지연"]
    assert a2.status == Status.OPEN and a2.assignee is None and a2.product is None
    assert a2.created_at == datetime(2026, 3, 15, 5, 5, tzinfo=UTC)
    assert a3.channel == "messenger" and a3.status == Status.CLOSED  # blank status on history → closed
    assert a3.customer is None
    assert a3.created_at == datetime(2026, 3, 16, tzinfo=SEOUL)


# --- formats ----------------------------------------------------------------------------------------

def test_csv_utf8_imports_every_column(workspace, assignee, tmp_path):
    summary = import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows_sample()))
    assert summary.as_dict() == {"created": 3, "updated": 0, "unchanged": 0, "errors": []}
    assert_sample_imported(workspace)


def test_csv_with_bom(workspace, assignee, tmp_path):
    path = write_csv(tmp_path / "t.csv", rows_sample(), encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    summary = import_tickets_file(workspace=workspace, path=path)
    assert summary.errors == [] and summary.created == 3
    assert_sample_imported(workspace)


def test_cp949_csv_with_korean_headers(workspace, assignee, tmp_path):
    korean = ["외부ID", "접수일시", "채널", "상태", "제목", "내용", "고객명", "연락처", "이메일", "분류", "상품", "태그",
              "담당자"]
    path = write_csv(tmp_path / "엑셀저장.csv", rows_sample(), header=korean, encoding="cp949")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    summary = import_tickets_file(workspace=workspace, path=path)
    assert summary.errors == [] and summary.created == 3
    assert_sample_imported(workspace)


def test_committed_cp949_fixture(workspace, tmp_path):
    summary = import_tickets_file(workspace=workspace, path=FIXTURES / "tickets_cp949.csv")
    assert summary.errors == [] and summary.created == 2
    ticket = Ticket.objects.get(workspace=workspace, external_id="OLD-1001")
    assert ticket.subject == "교환 요청드립니다" and ticket.channel == "phone" and ticket.status == Status.SOLVED
    assert ticket.customer.phones == ["01055556666"]


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_tab_and_semicolon_separated(workspace, assignee, tmp_path, delimiter):
    suffix = ".tsv" if delimiter == "\t" else ".csv"
    summary = import_tickets_file(workspace=workspace,
                                  path=write_csv(tmp_path / f"t{suffix}", rows_sample(), delimiter=delimiter))
    assert summary.errors == [] and summary.created == 3
    assert_sample_imported(workspace)


def test_excel_unicode_text_utf16(workspace, assignee, tmp_path):
    path = write_csv(tmp_path / "t.txt", rows_sample(), delimiter="\t", encoding="utf-16")
    summary = import_tickets_file(workspace=workspace, path=path)
    assert summary.errors == [] and summary.created == 3


def test_xlsx_with_excel_dates_numbers_and_leading_blank_rows(workspace, assignee, tmp_path):
    rows = [[c for c in row] for row in rows_sample()]
    rows[0][1] = datetime(2026, 3, 14, 9, 30)  # an Excel date cell (no time zone → Asia/Seoul)
    rows[1][1] = "2026-03-15 14:05"
    rows[2][0] = 3  # numeric ids come back as "3"
    rows[2][7] = 1055556666  # a phone number Excel turned into a number (leading 0 lost)
    path = write_xlsx(tmp_path / "t.xlsx", rows, blank_rows_before=2)
    summary = import_tickets_file(workspace=workspace, path=path)
    assert summary.errors == [], summary.errors
    assert summary.created == 3
    a1 = Ticket.objects.get(workspace=workspace, external_id="A-1")
    assert a1.created_at == datetime(2026, 3, 14, 0, 30, tzinfo=UTC)
    a3 = Ticket.objects.get(workspace=workspace, external_id="3")
    assert a3.customer.phones == ["01055556666"]


def test_xlsx_row_numbers_count_leading_blank_rows(workspace, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [["X-1", "", "", "", "", "내용"]], blank_rows_before=2)
    summary = import_tickets_file(workspace=workspace, path=path)
    assert [(e["row"], e["column"]) for e in summary.errors] == [(4, "subject")]


def test_header_variants(workspace, tmp_path):
    header = ["External ID", "Created-At", "CHANNEL", "Status ", "제목", "본문", "customer name", "Customer Phone",
              "고객 이메일", "카테고리", "상품명", "Tags", "담당자", "메모"]
    rows = [["V-1", "2026-01-02 03:04", "이메일", "진행 중", "문의", "내용입니다", "박지민", "+82 10-2222-3333",
             "JM@Example.com", "기타", "", "", "", "무시되는 열"]]
    summary = import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows, header=header))
    assert summary.errors == []
    assert summary.as_dict()["ignored_columns"] == ["메모"]
    ticket = Ticket.objects.select_related("customer").get(workspace=workspace, external_id="V-1")
    assert (ticket.channel, ticket.status) == ("email", Status.OPEN)
    assert ticket.customer.phones == ["01022223333"] and ticket.customer.emails == ["jm@example.com"]


@pytest.mark.parametrize(("raw", "expected"), [
    ("신규", "new"), ("접수", "new"), ("진행 중", "open"), ("처리중", "open"), ("대기", "pending"),
    ("고객 응답 대기", "pending"), ("보류", "on_hold"), ("ON_HOLD", "on_hold"), ("해결", "solved"),
    ("완료", "solved"), ("처리완료", "solved"), ("종료", "closed"), ("Closed", "closed"),
])
def test_status_values(workspace, tmp_path, raw, expected):
    rows = [["S-1", "", "", raw, "제목", "내용"]]
    summary = import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows, header=HEADER[:6]))
    assert summary.errors == []
    assert Ticket.objects.get(workspace=workspace).status == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("게시판", "board"), ("전화", "phone"), ("이메일", "email"), ("채팅", "chat"), ("마켓", "marketplace"),
    ("마켓 문의", "marketplace"), ("메신저", "messenger"), ("Phone", "phone"), ("", "import"),
])
def test_channel_values(workspace, tmp_path, raw, expected):
    rows = [["C-1", "", raw, "", "제목", "내용"]]
    summary = import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows, header=HEADER[:6]))
    assert summary.errors == []
    assert Ticket.objects.get(workspace=workspace).channel == expected


def test_workspace_status_name_sets_custom_status(workspace, tmp_path):
    custom = WorkspaceStatus.objects.get(workspace=workspace, name="배송사 확인 중")
    rows = [["W-1", "", "", "배송사 확인 중", "제목", "내용"]]
    import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows, header=HEADER[:6]))
    ticket = Ticket.objects.get(workspace=workspace)
    assert (ticket.status, ticket.custom_status_id) == (custom.base_status, custom.pk)


def test_missing_categories_and_products_are_created(workspace, tmp_path):
    rows = [["K-1", "", "", "", "제목", "내용", "", "", "", "정기구독 > 해지", "SKU-9"],
            ["K-2", "", "", "", "제목", "내용", "", "", "", "정기구독>해지", "sku-9"]]
    summary = import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows, header=HEADER[:11]))
    assert summary.errors == []
    child = Category.objects.get(workspace=workspace, name="해지")
    assert child.parent.name == "정기구독" and not child.is_public and not child.parent.is_public
    assert Product.objects.filter(workspace=workspace, name__iexact="sku-9").count() == 1
    assert set(Ticket.objects.filter(workspace=workspace).values_list("category_id", flat=True)) == {child.pk}


def test_product_found_by_code(workspace, tmp_path):
    product = Product.objects.create(workspace=workspace, name="한우 선물세트", code="HW-01")
    rows = [["P-1", "", "", "", "제목", "내용", "", "", "", "", "hw-01"]]
    import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows, header=HEADER[:11]))
    assert Ticket.objects.get(workspace=workspace).product_id == product.pk
    assert Product.objects.filter(workspace=workspace).count() == 1


# --- upsert -----------------------------------------------------------------------------------------

def test_rerunning_the_same_file_changes_nothing(workspace, assignee, tmp_path):
    path = write_csv(tmp_path / "t.csv", rows_sample())
    import_tickets_file(workspace=workspace, path=path)
    counts = (Ticket.objects.count(), Message.objects.count(), Customer.objects.count(), AuditEvent.objects.count(),
              Category.objects.count(), Product.objects.count(), Tag.objects.count())
    again = import_tickets_file(workspace=workspace, path=path)
    assert again.as_dict() == {"created": 0, "updated": 0, "unchanged": 3, "errors": []}
    assert counts == (Ticket.objects.count(), Message.objects.count(), Customer.objects.count(),
                      AuditEvent.objects.count(), Category.objects.count(), Product.objects.count(),
                      Tag.objects.count())


def test_changed_rows_update_the_tickets(workspace, assignee, tmp_path):
    import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows_sample()))
    before = Ticket.objects.get(workspace=workspace, external_id="A-1")
    rows = rows_sample()
    rows[0][2:6] = ["이메일", "종료", "환불 문의 (재접수)", "사과가 상했어요. 환불 부탁드립니다"]
    rows[0][9:13] = ["배송 > 오배송", "", "환불;재접수", ""]
    rows.append(["A-4", "", "", "", "새 티켓", "새 내용", "", "", "", "", "", "", ""])
    summary = import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t2.csv", rows))
    assert summary.as_dict() == {"created": 1, "updated": 1, "unchanged": 2, "errors": []}
    ticket = Ticket.objects.select_related("category").get(pk=before.pk)
    assert (ticket.channel, ticket.status, ticket.subject) == ("email", Status.CLOSED, "환불 문의 (재접수)")
    assert ticket.closed_at is not None and ticket.assignee_id is None and ticket.product_id is None
    assert ticket.category.name == "오배송"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["재접수", "환불"]
    assert ticket.created_at == before.created_at and ticket.customer_id == before.customer_id
    assert ticket.messages.get(kind=MessageKind.CUSTOMER).body_text == "사과가 상했어요. 환불 부탁드립니다"
    event = ticket.messages.get(kind=MessageKind.EVENT)
    assert "가져오기" in event.body_text and "상태" in event.body_text
    audit = AuditEvent.objects.filter(object_type="ticket", object_id=str(ticket.pk), action="ticket.import")
    assert audit.count() == 2
    assert audit.first().changes["status"] == ["solved", "closed"]
    assert search.search_ticket_ids(workspace_id=workspace.pk, query="재접수")[0].ticket_id == ticket.pk
    assert search.search_ticket_ids(workspace_id=workspace.pk, query="부탁")[0].ticket_id == ticket.pk


def test_columns_missing_from_the_file_are_left_alone(workspace, assignee, tmp_path):
    import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows_sample()))
    rows = [[r[0], r[4], r[5]] for r in rows_sample()]
    summary = import_tickets_file(workspace=workspace, path=write_csv(
        tmp_path / "t2.csv", rows, header=["external_id", "subject", "body"]))
    assert summary.as_dict() == {"created": 0, "updated": 0, "unchanged": 3, "errors": []}
    assert Ticket.objects.get(workspace=workspace, external_id="A-1").assignee_id == assignee.user_id


def test_external_ids_are_per_workspace(workspace, other_workspace, assignee, tmp_path):
    path = write_csv(tmp_path / "t.csv", rows_sample())
    import_tickets_file(workspace=workspace, path=path)
    make_member(other_workspace, "agent", user=assignee.user)
    summary = import_tickets_file(workspace=other_workspace, path=path)
    assert summary.created == 3
    assert Ticket.objects.filter(external_id="A-1").count() == 2


def test_numbers_continue_the_workspace_sequence(workspace, assignee, tmp_path):
    from tests.factories import make_ticket

    first = make_ticket(workspace)
    import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows_sample()))
    numbers = sorted(Ticket.objects.filter(workspace=workspace, external_id__isnull=False)
                     .values_list("number", flat=True))
    assert numbers == [first.number + 1, first.number + 2, first.number + 3]
    assert make_ticket(workspace).number == first.number + 4


def test_one_audit_event_per_created_ticket(workspace, assignee, tmp_path):
    import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows_sample()))
    ids = {str(pk) for pk in Ticket.objects.filter(workspace=workspace).values_list("pk", flat=True)}
    events = AuditEvent.objects.filter(workspace=workspace, action="ticket.import")
    assert sorted(e.object_id for e in events) == sorted(ids)


# --- errors -----------------------------------------------------------------------------------------

def test_row_errors_are_reported_and_nothing_is_written(workspace, assignee, tmp_path):
    rows = rows_sample()
    rows.append(["B-1", "2026-13-45 25:00", "", "", "제목", "내용"] + [""] * 7)  # row 5: bad date
    rows.append(["B-2", "", "팩스", "", "제목", "내용"] + [""] * 7)  # row 6: unknown channel
    rows.append(["B-3", "", "", "", "제목", "내용"] + [""] * 6 + ["nobody@cx.example.kr"])  # row 7
    rows.append(["B-4", "", "", "", "", "제목 없는 행"] + [""] * 7)  # row 8: missing subject
    rows.append(["A-2", "", "", "", "중복", "중복된 외부 ID"] + [""] * 7)  # row 9: duplicate of row 3
    rows.append(["B-5", "", "", "알수없음", "제목", "내용", "", "010-12", "메일아님"] + [""] * 4)  # row 10
    counts = (Category.objects.count(), Product.objects.count(), Tag.objects.count(), AuditEvent.objects.count())
    summary = import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows))
    found = [(e["row"], e["column"]) for e in summary.errors]
    assert found == [(5, "created_at"), (6, "channel"), (7, "assignee"), (8, "subject"), (9, "external_id"),
                     (10, "status"), (10, "customer_phone"), (10, "customer_email")]
    assert summary.created == summary.updated == 0
    by_row = {e["row"]: e for e in summary.errors}
    assert by_row[5]["value"] == "2026-13-45 25:00"
    assert "3행과 중복" in by_row[9]["message"]
    assert all(e["message"] and not e["message"].isascii() for e in summary.errors)  # Korean, says what to fix
    assert not Ticket.objects.exists() and not Customer.objects.exists() and not Message.objects.exists()
    assert counts == (Category.objects.count(), Product.objects.count(), Tag.objects.count(),
                      AuditEvent.objects.count())


def test_inactive_or_viewer_assignee_is_an_error(workspace, tmp_path):
    make_member(workspace, "client_viewer", user=make_user(email="viewer@cx.example.kr"))
    rows = [["V-1", "", "", "", "제목", "내용", "", "", "", "", "", "", "viewer@cx.example.kr"]]
    summary = import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows))
    assert [(e["row"], e["column"]) for e in summary.errors] == [(2, "assignee")]


def test_errors_name_the_column_as_written_in_the_file(workspace, tmp_path):
    rows = [["K-1", "어제", "제목", "내용"]]
    summary = import_tickets_file(workspace=workspace, path=write_csv(
        tmp_path / "t.csv", rows, header=["외부 ID", "접수일시", "제목", "내용"]))
    assert [(e["row"], e["column"], e["value"]) for e in summary.errors] == [(2, "접수일시", "어제")]


def test_missing_required_columns_is_a_file_error(workspace, tmp_path):
    summary = import_tickets_file(workspace=workspace, path=write_csv(
        tmp_path / "t.csv", [["x", "y"]], header=["제목", "고객명"]))
    assert {e["column"] for e in summary.errors} == {"external_id", "body"}
    assert all(e["row"] == 1 for e in summary.errors)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(("name", "content", "words"), [
    ("t.xlsx", b"PK\x03\x04 this is not really a zip", "엑셀"),
    ("t.xlsx", b"plain text pretending to be excel", "손상"),
    ("t.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xlsx"),
    ("t.csv", bytes(range(256)) * 4, "인코딩"),
    ("t.pdf", b"%PDF-1.4", "CSV"),
    ("t.csv", b"", "비어"),
    ("t.csv", b'external_id,subject,body\n1,"unclosed,\x00', "인코딩"),
])
def test_unreadable_files_give_a_clear_error(workspace, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    summary = import_tickets_file(workspace=workspace, path=path)
    assert len(summary.errors) == 1 and summary.errors[0]["row"] is None
    assert words in summary.errors[0]["message"]


def test_missing_file(workspace, tmp_path):
    summary = import_tickets_file(workspace=workspace, path=tmp_path / "nope.csv")
    assert "찾을 수 없습니다" in summary.errors[0]["message"]


# --- search and time --------------------------------------------------------------------------------

def test_imported_tickets_are_searchable_right_away(workspace, assignee, tmp_path):
    import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows_sample()))
    a1 = Ticket.objects.get(workspace=workspace, external_id="A-1")
    a2 = Ticket.objects.get(workspace=workspace, external_id="A-2")
    assert TicketSearchDoc.objects.filter(workspace=workspace).count() == 3

    def first(query: str) -> int:
        return search.search_ticket_ids(workspace_id=workspace.pk, query=query)[0].ticket_id

    assert first("사과 환불") == a1.pk  # body
    assert first("신선식품") == a1.pk  # tag
    assert first("김민수") == a1.pk  # customer name
    assert first("5678") == a1.pk  # last four digits of the phone
    assert first("배송") == a2.pk


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-03-14 09:30", datetime(2026, 3, 14, 9, 30, tzinfo=SEOUL)),
    ("2026-03-14T09:30:15", datetime(2026, 3, 14, 9, 30, 15, tzinfo=SEOUL)),
    ("2026.03.14 09:30", datetime(2026, 3, 14, 9, 30, tzinfo=SEOUL)),
    ("2026/03/14", datetime(2026, 3, 14, tzinfo=SEOUL)),
    ("2026. 3. 14. 오후 2:05", datetime(2026, 3, 14, 14, 5, tzinfo=SEOUL)),
    ("2026-03-14 오전 12:10:00", datetime(2026, 3, 14, 0, 10, tzinfo=SEOUL)),
    ("2026-03-14 9:30 PM", datetime(2026, 3, 14, 21, 30, tzinfo=SEOUL)),
    ("20260314", datetime(2026, 3, 14, tzinfo=SEOUL)),
    ("2026-03-14T00:30:00Z", datetime(2026, 3, 14, 0, 30, tzinfo=UTC)),
    ("2026-03-14T09:30:00+09:00", datetime(2026, 3, 14, 0, 30, tzinfo=UTC)),
    ("2026.03.14 09:30 +0900", datetime(2026, 3, 14, 0, 30, tzinfo=UTC)),
    (datetime(2026, 3, 14, 9, 30), datetime(2026, 3, 14, 9, 30, tzinfo=SEOUL)),
    (46095.395833333336, datetime(2026, 3, 14, 9, 30, tzinfo=SEOUL)),  # an Excel serial date
])
def test_parse_datetime(raw, expected):
    assert parse_datetime(raw, SEOUL) == expected


@pytest.mark.parametrize("raw", ["어제", "14/03/2026", "2026-02-30", "2026-03-14 25:00", "2026-03-14 오후 13:00",
                                 "1800-01-01", "12345"])
def test_parse_datetime_rejects(raw):
    with pytest.raises(ValueError):
        parse_datetime(raw, SEOUL)


def test_naive_times_use_the_workspace_time_zone(workspace, tmp_path):
    Workspace.objects.filter(pk=workspace.pk).update(timezone="America/New_York")
    workspace.refresh_from_db()
    rows = [["T-1", "2026-07-01 09:00", "", "", "제목", "내용"],
            ["T-2", "2026-07-01T09:00:00+09:00", "", "", "제목", "내용"]]
    import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows, header=HEADER[:6]))
    t1 = Ticket.objects.get(workspace=workspace, external_id="T-1")
    t2 = Ticket.objects.get(workspace=workspace, external_id="T-2")
    assert t1.created_at == datetime(2026, 7, 1, 13, 0, tzinfo=UTC)  # EDT is UTC-4
    assert t2.created_at == datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


# --- CLI and export ---------------------------------------------------------------------------------

def test_cli_prints_the_summary_and_exits_zero(workspace, assignee, tmp_path, capsys):
    path = write_csv(tmp_path / "t.csv", rows_sample())
    assert main(["tickets", "import", str(path), "--workspace", workspace.slug]) == 0
    assert json.loads(capsys.readouterr().out) == {"created": 3, "updated": 0, "unchanged": 0, "errors": []}
    assert main(["tickets", "import", str(path), "--workspace", workspace.slug]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 0


def test_cli_exits_non_zero_on_row_errors(workspace, tmp_path, capsys):
    path = write_csv(tmp_path / "t.csv", [["E-1", "", "", "", "", "내용"]], header=HEADER[:6])
    assert main(["tickets", "import", str(path), "--workspace", workspace.slug]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["created"] == 0 and out["errors"][0]["row"] == 2 and out["errors"][0]["column"] == "subject"


def test_cli_unreadable_file_has_no_traceback(workspace, tmp_path, capsys):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04garbage")
    assert main(["tickets", "import", str(path), "--workspace", workspace.slug]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert json.loads(captured.out)["errors"][0]["message"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_round_trips(workspace, other_workspace, assignee, tmp_path, capsys, suffix):
    import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows_sample()))
    Ticket.objects.filter(external_id="A-3").update(subject="=HYPERLINK(\"http://evil\")")
    out = tmp_path / f"export{suffix}"
    assert main(["tickets", "export", "--workspace", workspace.slug, str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["exported"] == 3
    if suffix == ".csv":
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert "'=HYPERLINK" in raw.decode("utf-8-sig")
    else:
        sheet = openpyxl.load_workbook(out).active
        cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
        assert cells['=HYPERLINK("http://evil")'] == "s"
    again = import_tickets_file(workspace=workspace, path=out)
    assert again.as_dict() == {"created": 0, "updated": 0, "unchanged": 3, "errors": []}
    make_member(other_workspace, "agent", user=assignee.user)
    copied = import_tickets_file(workspace=other_workspace, path=out)
    assert copied.errors == [] and copied.created == 3
    a1 = Ticket.objects.select_related("category").get(workspace=other_workspace, external_id="A-1")
    assert a1.created_at == datetime(2026, 3, 14, 0, 30, tzinfo=UTC) and str(a1.category) == "취소/교환/반품 > 환불"
    assert Ticket.objects.get(workspace=other_workspace, external_id="A-3").subject.startswith("=HYPERLINK")


def test_export_rejects_other_suffixes(workspace, tmp_path, capsys):
    assert main(["tickets", "export", "--workspace", workspace.slug, str(tmp_path / "x.json")]) == 2
    assert ".xlsx" in capsys.readouterr().err


def test_export_of_an_empty_workspace(workspace, tmp_path):
    assert export_tickets_file(workspace=workspace, path=tmp_path / "e.csv") == 0
    assert (tmp_path / "e.csv").read_text(encoding="utf-8-sig").strip() == ",".join(COLUMNS)


# --- customers in bulk ------------------------------------------------------------------------------

REFS = [
    CustomerRef(name="김민수", phone="010-1234-5678"),
    CustomerRef(name="", phone="01012345678", email="MINSU@example.com"),  # same person, adds an email
    CustomerRef(name="이영희", email="yh@example.com"),
    CustomerRef(name="이영희(2)", phone="010-9999-0000", email="yh@example.com"),  # found by email, adds a phone
    CustomerRef(name="홍길동"),  # a name alone always makes a new customer
    CustomerRef(name="홍길동"),
    CustomerRef(phone="+82 10 9999 0000"),
    CustomerRef(name="박", phone="010-2222-3333", order_numbers=("ORD-1",)),
    CustomerRef(name="최", order_numbers=("ORD-1",)),
]


def _shape(customers):
    ids: dict[int, int] = {}
    return [(ids.setdefault(c.pk, len(ids)), c.name, sorted(c.phones), sorted(c.emails), c.external_ids)
            for c in (Customer.objects.get(pk=c.pk) for c in customers)]


def test_bulk_customers_match_customer_find_or_create(workspace, other_workspace):
    seed = [CustomerRef(name="", phone="010-2222-3333"), CustomerRef(name="기존", email="old@example.com")]
    refs = [*REFS, CustomerRef(name="기존 고객", email="old@example.com", phone="010-4444-5555")]
    for ws in (workspace, other_workspace):
        for ref in seed:
            customer_find_or_create(workspace=ws, ref=ref)
    one_by_one = [customer_find_or_create(workspace=workspace, ref=ref) for ref in refs]
    bulk = customers_find_or_create_many(workspace=other_workspace, refs=refs)
    assert _shape(bulk) == _shape(one_by_one)
    assert (Customer.objects.filter(workspace=workspace).count()
            == Customer.objects.filter(workspace=other_workspace).count())
    assert (CustomerIdentity.objects.filter(workspace=workspace).count()
            == CustomerIdentity.objects.filter(workspace=other_workspace).count())


def test_bulk_customers_follow_merges(workspace, agent):
    source = customer_find_or_create(workspace=workspace, ref=CustomerRef(name="A", phone="010-1111-0000"))
    target = customer_find_or_create(workspace=workspace, ref=CustomerRef(name="B", phone="010-2222-0000"))
    CustomerIdentity.objects.create(workspace=workspace, customer=source, kind="email", value="a@example.com")
    customer_merge(source=source, target=target, by=agent)
    CustomerIdentity.objects.filter(workspace=workspace, value="a@example.com").update(customer=source)
    [found] = customers_find_or_create_many(workspace=workspace, refs=[CustomerRef(email="a@example.com")])
    assert found.pk == target.pk


def test_import_reuses_existing_customers(workspace, tmp_path):
    existing = customer_find_or_create(workspace=workspace, ref=CustomerRef(name="김민수", phone="010-1234-5678"))
    rows = [["R-1", "", "", "", "제목", "내용", "", "01012345678", "minsu@example.com"],
            ["R-2", "", "", "", "제목", "내용", "민수", "", "minsu@example.com"]]
    import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows, header=HEADER[:9]))
    assert set(Ticket.objects.values_list("customer_id", flat=True)) == {existing.pk}
    existing.refresh_from_db()
    assert existing.emails == ["minsu@example.com"] and Customer.objects.count() == 1


def test_search_documents_match_index_ticket(workspace, assignee, tmp_path):
    """The batched indexer writes what search.index_ticket would write for the same ticket."""
    rows = rows_sample()
    rows[1][11] = "재구매, 이관, #VIP"
    import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows))
    fields = [f.attname for f in TicketSearchDoc._meta.concrete_fields]  # new columns are checked too
    for ticket in Ticket.objects.filter(workspace=workspace):
        batched = TicketSearchDoc.objects.filter(ticket=ticket).values(*fields).get()
        search.index_ticket(ticket)
        single = TicketSearchDoc.objects.filter(ticket=ticket).values(*fields).get()
        assert batched == single


def test_zendesk_style_export_headers(workspace, tmp_path):
    header = ["Id", "Subject", "Description", "Status", "Via", "Requester", "Requester email", "Created at"]
    rows = [["4812", "Refund please", "The box was broken", "Solved", "Web form", "Jane", "jane@example.com",
             "2026-02-01 10:00"]]
    summary = import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "z.csv", rows, header=header))
    assert summary.errors == [] and summary.created == 1
    ticket = Ticket.objects.select_related("customer").get(workspace=workspace, external_id="4812")
    assert (ticket.status, ticket.channel, ticket.customer.emails) == ("solved", "board", ["jane@example.com"])


def test_two_headers_for_one_column_is_a_file_error(workspace, tmp_path):
    header = ["external_id", "subject", "body", "연락처", "전화번호"]
    summary = import_tickets_file(workspace=workspace, path=write_csv(
        tmp_path / "t.csv", [["1", "s", "b", "010-1111-2222", "010-3333-4444"]], header=header))
    assert [(e["row"], e["column"]) for e in summary.errors] == [(1, "전화번호")]
    assert not Ticket.objects.exists()


def test_blank_body_makes_a_ticket_without_a_first_message(workspace, tmp_path):
    import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", [["N-1", "제목만", ""]],
                                                            header=["external_id", "subject", "body"]))
    ticket = Ticket.objects.get(workspace=workspace)
    assert ticket.message_count == 0 and not ticket.messages.exists() and ticket.last_customer_message_at is None


def test_error_list_is_capped(workspace, tmp_path):
    rows = [[f"E-{i}", "", "내용"] for i in range(1200)]
    summary = import_tickets_file(workspace=workspace, path=write_csv(
        tmp_path / "t.csv", rows, header=["external_id", "subject", "body"]))
    assert len(summary.errors) == 1001 and summary.errors[-1]["row"] is None
    assert "1000" in summary.errors[-1]["message"]


@pytest.mark.parametrize(("raw", "expected"), [
    ("불만", "complaint"), ("complaint", "complaint"), ("클레임", "complaint"), ("요청", "request"), ("", "inquiry"),
])
def test_type_column_sets_the_ticket_type(workspace, tmp_path, raw, expected):
    rows = [["T-1", "제목", "내용", raw]]
    summary = import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows,
                                                                      header=["external_id", "subject", "body", "유형"]))
    assert summary.errors == []
    assert Ticket.objects.get(workspace=workspace).type == expected


def test_unknown_type_is_a_row_error(workspace, tmp_path):
    rows = [["T-1", "제목", "내용", "뭔가"]]
    summary = import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows,
                                                                      header=["external_id", "subject", "body", "type"]))
    assert [e["row"] for e in summary.errors] == [2]
    assert not Ticket.objects.filter(workspace=workspace).exists()
