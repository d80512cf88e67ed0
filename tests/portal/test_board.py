from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cxops.core.models import AuditEvent
from cxops.core.services import workspace_update
from cxops.tickets.channels.board import portal_ticket_id
from cxops.tickets.models import Attachment, Category, Customer, Message, MessageKind, Ticket
from tests.factories import make_member
from tests.portal.conftest import PDF, leaf_category, png, stamp

pytestmark = pytest.mark.django_db


def url(workspace):
    return reverse("portal_inquiry", args=[workspace.slug])


def nothing_created():
    return not Ticket.objects.exists() and not Customer.objects.exists() and not Message.objects.exists()


# --- the form -----------------------------------------------------------------------------------

def test_form_shows_workspace_categories_consent_and_intro(client, workspace):
    admin = make_member(workspace, "admin")
    workspace_update(workspace=workspace, actor=admin.user, board_intro="평일 09:00~18:00에 답변드립니다.",
                     privacy_consent_text="수집 항목: 이름, 연락처\n보유 기간: 3년", brand_color="#d9480f")
    hidden = Category.objects.create(workspace=workspace, name="내부 전용", is_public=False)
    response = client.get(url(workspace))
    assert response.status_code == 200
    html = response.content.decode()
    assert "맛있는 식탁" in html
    assert "평일 09:00~18:00에 답변드립니다." in html
    assert "수집 항목: 이름, 연락처<br>보유 기간: 3년" in html
    assert "개인정보 수집·이용 동의" in html
    assert "배송 &gt; 배송 지연" in html
    assert f'value="{hidden.pk}"' not in html
    assert "--brand: #d9480f" in html
    # the honeypot is an ordinary text input hidden by CSS, not type=hidden
    assert 'type="text" name="homepage"' in html
    assert 'name="started"' in html


def test_unknown_workspace_is_404(client, workspace):
    assert client.get("/p/nope/inquiry/").status_code == 404
    assert client.post("/p/nope/inquiry/", {}).status_code == 404


def test_children_of_a_hidden_parent_are_not_offered(client, workspace, board_data):
    Category.objects.filter(workspace=workspace, parent=None, name="배송").update(is_public=False)
    html = client.get(url(workspace)).content.decode()
    assert "배송 &gt; 배송 지연" not in html
    response = client.post(url(workspace), board_data)
    assert "문의 유형을 다시 골라 주세요." in response.content.decode()
    assert nothing_created()


# --- a successful inquiry -----------------------------------------------------------------------

def test_submission_creates_ticket_customer_message_and_attachments(client, workspace, board_data):
    board_data["email"] = "MinSu@Example.kr"
    board_data["attachments"] = [png("배송 사진.png"), SimpleUploadedFile("영수증.pdf", PDF, "application/pdf")]
    response = client.post(url(workspace), board_data)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_inquiry_thanks", args=[workspace.slug])

    ticket = Ticket.objects.get()
    assert ticket.channel == "board"
    assert ticket.number == 1001
    assert ticket.subject == "주문한 김치가 아직 안 왔어요"
    assert ticket.order_number == "20261123-0001"
    assert ticket.category == leaf_category(workspace)
    customer = ticket.customer
    assert customer.name == "김민수"
    assert customer.phones == ["01012345678"]
    assert customer.emails == ["minsu@example.kr"]
    message = Message.objects.get()
    assert message.kind == MessageKind.CUSTOMER
    assert "배송이 시작되지 않았습니다" in message.body_text
    files = {a.filename: a for a in Attachment.objects.filter(message=message)}
    assert set(files) == {"배송 사진.png", "영수증.pdf"}
    assert files["배송 사진.png"].content_type == "image/png"
    assert files["영수증.pdf"].size == len(PDF)

    consent = AuditEvent.objects.get(action="ticket.privacy_consent")
    assert consent.object_id == str(ticket.pk)
    assert consent.changes["privacy_consent"][1]["text"] == workspace.privacy_consent_text
    assert consent.ip_address == "127.0.0.1"

    thanks = client.get(response["Location"])
    html = thanks.content.decode()
    assert "#1001" in html
    assert thanks["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex, nofollow">' in html
    token = re.search(rf'value="http://testserver/p/{workspace.slug}/inquiry/([^/"]+)/"', html).group(1)
    assert portal_ticket_id(token, workspace_id=workspace.pk) == ticket.pk
    assert client.get(f"/p/{workspace.slug}/inquiry/{token}/").status_code == 200


def test_email_receipt_carries_the_private_link(client, workspace, board_data, django_capture_on_commit_callbacks):
    board_data.update(phone="", email="minsu@example.kr")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(workspace), board_data)
    ticket = Ticket.objects.get()
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == ["minsu@example.kr"]
    assert f"#{ticket.number}" in receipt.subject
    assert f"/p/{workspace.slug}/inquiry/" in receipt.body


def test_phone_only_inquiry_sends_no_mail(client, workspace, board_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(workspace), board_data)
    assert Ticket.objects.count() == 1
    assert mail.outbox == []


def test_same_form_submitted_twice_makes_one_inquiry(client, workspace, board_data):
    first = client.post(url(workspace), board_data)
    second = client.post(url(workspace), board_data)
    assert first.status_code == second.status_code == 302
    assert Ticket.objects.count() == 1
    assert AuditEvent.objects.filter(action="ticket.privacy_consent").count() == 1


def test_returning_customer_is_recognised_by_phone(client, workspace, board_data):
    client.post(url(workspace), board_data)
    board_data.update(phone="01012345678", started=stamp(workspace), subject="두 번째 문의")
    client.post(url(workspace), board_data)
    assert Ticket.objects.count() == 2
    assert Customer.objects.count() == 1


# --- invalid inputs -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": "", "email": ""}, "답변을 받으실 휴대폰 번호나 이메일 중 하나는 입력해 주세요."),
        ({"phone": "010-12"}, "전화번호 형식이 올바르지 않습니다. 010-1234-5678처럼 입력해 주세요."),
        ({"phone": "", "email": "minsu@"}, "이메일 주소 형식이 올바르지 않습니다."),
        ({"consent": ""}, "개인정보 수집·이용에 동의하셔야 문의를 접수할 수 있습니다."),
        ({"name": "  "}, "이름을 입력해 주세요."),
        ({"subject": ""}, "제목을 입력해 주세요."),
        ({"body": " \n "}, "문의 내용을 입력해 주세요."),
        ({"category": ""}, "문의 유형을 골라 주세요."),
    ],
)
def test_invalid_inputs_show_a_korean_error_and_create_nothing(client, workspace, board_data, changes, message):
    board_data.update(changes)
    response = client.post(url(workspace), board_data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "입력한 내용을 확인해 주세요." in html
    assert 'aria-invalid="true"' in html
    assert nothing_created()


def test_field_errors_are_tied_to_their_inputs(client, workspace, board_data):
    board_data.update(phone="", email="")
    html = client.post(url(workspace), board_data).content.decode()
    assert 'id="id_phone_error"' in html
    assert 'aria-describedby="id_phone_helptext id_phone_error"' in html
    assert 'aria-describedby="id_email_helptext id_phone_error"' in html
    # what was typed is kept
    assert "주문한 김치가 아직 안 왔어요" in html


def test_too_large_file_is_refused(client, workspace, board_data, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    board_data["attachments"] = [SimpleUploadedFile("큰사진.png", b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024 + 1),
                                                    content_type="image/png")]
    html = client.post(url(workspace), board_data).content.decode()
    assert "&#x27;큰사진.png&#x27; 파일이 너무 큽니다. 파일 하나에 1MB까지 올릴 수 있습니다." in html
    assert "선택했던 첨부 파일은 다시 골라 주셔야 합니다" in html
    assert nothing_created()
    assert not Attachment.objects.exists()


def test_wrong_file_type_is_refused(client, workspace, board_data):
    board_data["attachments"] = [SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/x-msdownload")]
    html = client.post(url(workspace), board_data).content.decode()
    assert "파일 형식" in html and "첨부할 수 없습니다" in html
    assert nothing_created()


def test_file_whose_content_does_not_match_its_extension_is_refused(client, workspace, board_data):
    board_data["attachments"] = [SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script>",
                                                    content_type="image/png")]
    html = client.post(url(workspace), board_data).content.decode()
    assert "파일의 내용이 확장자와 맞지 않습니다" in html
    assert nothing_created()


def test_too_many_files_are_refused(client, workspace, board_data, settings):
    settings.ATTACHMENT_MAX_COUNT = 2
    board_data["attachments"] = [png("a.png"), png("b.png"), png("c.png")]
    html = client.post(url(workspace), board_data).content.decode()
    assert "첨부 파일은 2개까지 올릴 수 있습니다." in html
    assert nothing_created()


# --- anti-spam ----------------------------------------------------------------------------------

def test_filled_honeypot_pretends_success_and_stores_nothing(client, workspace, board_data):
    board_data["homepage"] = "http://spam.example"
    response = client.post(url(workspace), board_data)
    assert response.status_code == 302
    thanks = client.get(response["Location"]).content.decode()
    assert "문의가 접수되었습니다" in thanks
    assert "#100" not in thanks
    assert nothing_created()


def test_too_fast_submission_is_refused_kindly_and_can_be_resent(client, workspace, board_data):
    board_data["started"] = stamp(workspace, age_seconds=0.5)
    response = client.post(url(workspace), board_data)
    html = response.content.decode()
    assert "너무 빨리 제출되었습니다." in html
    assert nothing_created()
    # the original stamp is kept, so sending again a little later goes through
    assert f'value="{board_data["started"]}"' in html


@pytest.mark.parametrize("started", ["", "forged-value", "made:up:stamp"])
def test_missing_or_forged_stamp_creates_nothing(client, workspace, board_data, started):
    board_data["started"] = started
    html = client.post(url(workspace), board_data).content.decode()
    assert "문의 양식을 다시 불러왔습니다." in html
    assert nothing_created()


def test_stamp_of_another_workspace_or_too_old_is_refused(client, workspace, other_workspace, board_data):
    board_data["started"] = stamp(other_workspace)
    assert "문의 양식을 다시 불러왔습니다." in client.post(url(workspace), board_data).content.decode()
    board_data["started"] = stamp(workspace, age_seconds=2 * 24 * 3600)
    assert "페이지를 연 지 오래되어" in client.post(url(workspace), board_data).content.decode()
    assert nothing_created()


def test_submissions_are_rate_limited(client, workspace, board_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "board_submit": "2/600"}
    for _ in range(2):
        board_data["started"] = stamp(workspace)
        assert client.post(url(workspace), board_data).status_code == 302
    board_data["started"] = stamp(workspace)
    response = client.post(url(workspace), board_data)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert "요청이 너무 많이 들어왔습니다" in response.content.decode()
    assert Ticket.objects.count() == 2
    # reading the form is not limited
    assert client.get(url(workspace)).status_code == 200


def test_rate_limit_is_per_client_address(client, workspace, board_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "board_submit": "1/600"}
    assert client.post(url(workspace), board_data).status_code == 302
    board_data["started"] = stamp(workspace)
    assert client.post(url(workspace), board_data).status_code == 429
    board_data["started"] = stamp(workspace)
    assert client.post(url(workspace), board_data, REMOTE_ADDR="10.0.0.7").status_code == 302


def test_rate_limits_can_be_switched_off(client, workspace, board_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "board_submit": "1/600"}
    settings.RATE_LIMITS_ENABLED = False
    for _ in range(3):
        board_data["started"] = stamp(workspace)
        assert client.post(url(workspace), board_data).status_code == 302
    assert Ticket.objects.count() == 3


def test_submission_time_check_uses_the_setting(client, workspace, board_data, settings):
    settings.CXOPS_PORTAL_MIN_FILL_SECONDS = 120
    board_data["started"] = stamp(workspace, age_seconds=60)
    assert "너무 빨리 제출되었습니다." in client.post(url(workspace), board_data).content.decode()
    board_data["started"] = stamp(workspace, age_seconds=121)
    assert client.post(url(workspace), board_data).status_code == 302


# --- branding -----------------------------------------------------------------------------------

def test_logo_is_served_through_the_app_and_only_as_an_image(client, workspace):
    from django.core.files.base import ContentFile

    from tests.portal.conftest import PNG

    assert client.get(reverse("portal_logo", args=[workspace.slug])).status_code == 404
    workspace.logo.save("logo.png", ContentFile(PNG), save=True)
    response = client.get(reverse("portal_logo", args=[workspace.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert f'src="{reverse("portal_logo", args=[workspace.slug])}"' in client.get(url(workspace)).content.decode()
    workspace.logo.save("logo.svg", ContentFile(b"<svg onload='alert(1)'/>"), save=True)
    assert client.get(reverse("portal_logo", args=[workspace.slug])).status_code == 404


@pytest.mark.parametrize(("stored", "expected"), [("#d9480f", "#d9480f"), ("#FFF", "#ffffff"),
                                                  ("red;}*{x:", "#2f6fed"), ("#12345g", "#2f6fed")])
def test_brand_colour_is_sanitised(client, workspace, stored, expected):
    workspace.brand_color = stored  # the column holds 9 characters: enough to break out of a CSS rule
    workspace.save(update_fields=["brand_color"])
    html = client.get(url(workspace)).content.decode()
    assert f"--brand: {expected};" in html
    assert "*{x:" not in html


def test_light_brand_colours_get_dark_button_text():
    from cxops.portal.branding import brand_for, contrast

    light = brand_for("#ffe066")
    assert light.ink != "#ffffff"
    dark = brand_for("#1d3557")
    assert dark.ink == "#ffffff"
    strong = tuple(int(light.strong[i:i + 2], 16) for i in (1, 3, 5))
    assert contrast(strong, (255, 255, 255)) >= 4.5
