"""Admin pages of the email channel: mailboxes (with the connection test) and the quarantine."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cxops.core.models import Role
from cxops.core.services import ServiceError
from cxops.mail import selectors, services
from cxops.mail.forms import MailboxForm
from cxops.mail.models import Mailbox, QuarantineStatus
from cxops.mail.poll import poll_mailbox
from cxops.mail.transport import connection_test
from cxops.web.decorators import get_membership, workspace_view

log = logging.getLogger(__name__)


def _raw_response(field_file: object, filename: str) -> HttpResponseBase:
    try:
        handle = field_file.open("rb")  # type: ignore[attr-defined]
    except FileNotFoundError as exc:
        log.error("raw mail %s is missing from storage", getattr(field_file, "name", "?"))
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="message/rfc822")
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _initial(mailbox: Mailbox) -> dict[str, object]:
    keys = ("name", "address", "from_name", "imap_host", "imap_port", "imap_security", "imap_user", "imap_folder",
            "smtp_host", "smtp_port", "smtp_security", "smtp_user", "is_active")
    return {key: getattr(mailbox, key) for key in keys}


@workspace_view(min_role=Role.ADMIN)
def mailboxes(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    error = ""
    if request.method == "POST":
        form = MailboxForm(request.POST)
        if form.is_valid():
            try:
                mailbox = services.mailbox_save(workspace=membership.workspace, by=membership, **form.service_values())
            except ServiceError as exc:
                error = str(exc)
            else:
                messages.success(request, _("메일함을 등록했습니다. 연결 테스트로 설정을 확인하세요."))
                return redirect("mail_mailbox", slug=membership.workspace.slug, mailbox_id=mailbox.pk)
    else:
        form = MailboxForm()
    return render(request, "mail/mailboxes.html", {
        "mailboxes": list(selectors.mailboxes_list(membership=membership)), "form": form, "error": error,
        "settings_tab": "mailboxes"})


@workspace_view(min_role=Role.ADMIN)
def mailbox_detail(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    membership = get_membership(request)
    mailbox = selectors.mailbox_get(membership=membership, mailbox_id=mailbox_id)
    error = ""
    if request.method == "POST":
        form = MailboxForm(request.POST)
        if form.is_valid():
            try:
                services.mailbox_save(workspace=membership.workspace, by=membership, mailbox=mailbox,
                                      **form.service_values())
            except ServiceError as exc:
                error = str(exc)
            else:
                messages.success(request, _("메일함 설정을 저장했습니다."))
                return redirect("mail_mailbox", slug=membership.workspace.slug, mailbox_id=mailbox.pk)
    else:
        form = MailboxForm(initial=_initial(mailbox))
    return render(request, "mail/mailbox_detail.html", {
        "mailbox": mailbox, "form": form, "error": error, "settings_tab": "mailboxes",
        "report": request.session.pop(f"mail-test-{mailbox.pk}", None)})


@workspace_view(min_role=Role.ADMIN, write=True)
def mailbox_test(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    membership = get_membership(request)
    mailbox = selectors.mailbox_get(membership=membership, mailbox_id=mailbox_id)
    report = connection_test(mailbox)
    request.session[f"mail-test-{mailbox.pk}"] = {"ok": report.ok, "imap_ok": report.imap_ok,
                                                  "imap": report.imap_message, "smtp_ok": report.smtp_ok,
                                                  "smtp": report.smtp_message}
    return redirect("mail_mailbox", slug=membership.workspace.slug, mailbox_id=mailbox.pk)


@workspace_view(min_role=Role.ADMIN, write=True)
def mailbox_poll(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    membership = get_membership(request)
    mailbox = selectors.mailbox_get(membership=membership, mailbox_id=mailbox_id)
    report = poll_mailbox(mailbox, limit=200)
    if report.error:
        messages.error(request, _("메일을 가져오지 못했습니다: %(error)s") % {"error": report.error})
    else:
        messages.success(request, _("메일 %(count)d통을 가져왔습니다.") % {"count": report.fetched})
    return redirect("mail_mailbox", slug=membership.workspace.slug, mailbox_id=mailbox.pk)


@workspace_view(min_role=Role.ADMIN, write=True)
def mailbox_delete(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    membership = get_membership(request)
    mailbox = selectors.mailbox_get(membership=membership, mailbox_id=mailbox_id)
    services.mailbox_delete(mailbox=mailbox, by=membership)
    messages.success(request, _("메일함을 삭제했습니다."))
    return redirect("mail_mailboxes", slug=membership.workspace.slug)


@workspace_view(min_role=Role.ADMIN)
def quarantine(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    status = request.GET.get("status", QuarantineStatus.HELD)
    if status not in (*QuarantineStatus.values, "all"):
        status = QuarantineStatus.HELD
    items = selectors.quarantine_list(membership=membership, status="" if status == "all" else status)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "mail/quarantine.html", {
        "page": page, "status": status, "statuses": QuarantineStatus.choices, "settings_tab": "quarantine"})


@workspace_view(min_role=Role.ADMIN)
def quarantine_raw(request: HttpRequest, item_id: int) -> HttpResponseBase:
    item = selectors.quarantine_get(membership=get_membership(request), item_id=item_id)
    return _raw_response(item.raw, f"quarantine-{item.pk}.eml")


@workspace_view(min_role=Role.ADMIN, write=True)
def quarantine_reprocess(request: HttpRequest, item_id: int) -> HttpResponse:
    membership = get_membership(request)
    item = selectors.quarantine_get(membership=membership, item_id=item_id)
    try:
        result = services.quarantine_reprocess(item=item, by=membership)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        if result.ticket_id:
            messages.success(request, _("다시 처리해 티켓에 넣었습니다."))
        else:
            messages.success(request, _("다시 처리했습니다 (%(reason)s).") % {"reason": result.reason or result.status})
    return redirect("mail_quarantine", slug=membership.workspace.slug)


@workspace_view(min_role=Role.ADMIN, write=True)
def quarantine_discard(request: HttpRequest, item_id: int) -> HttpResponse:
    membership = get_membership(request)
    item = selectors.quarantine_get(membership=membership, item_id=item_id)
    try:
        services.quarantine_discard(item=item, by=membership)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("격리 메일을 폐기했습니다."))
    return redirect("mail_quarantine", slug=membership.workspace.slug)


@workspace_view(min_role=Role.AGENT)
def message_raw(request: HttpRequest, message_id: int) -> HttpResponseBase:
    raw = selectors.raw_email_for_message(membership=get_membership(request), message_id=message_id)
    return _raw_response(raw.file, f"message-{message_id}.eml")
