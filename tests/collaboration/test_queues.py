import io
from datetime import time, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from cxops.collaboration import selectors, services
from cxops.collaboration.models import ExceptionItem, ExceptionQueue
from cxops.collaboration.rows import Row, RowsError, read_rows
from cxops.core.models import Membership, Workspace
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def client_for(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def test_read_rows_csv_cp949_and_xlsx() -> None:
    rows = read_rows("a.csv", "주문번호,사유,몰\nA-1,품절취소 실패,11번가\nA-2,,쿠팡\n".encode("cp949"))
    assert [(r.reference, r.summary, r.data) for r in rows] == [
        ("A-1", "품절취소 실패", {"몰": "11번가"}), ("A-2", "", {"몰": "쿠팡"})]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["reference", "summary"])
    sheet.append(["R-9", "환불 실패"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert read_rows("b.xlsx", buffer.getvalue())[0].reference == "R-9"
    with pytest.raises(RowsError):
        read_rows("a.csv", "이름\n홍길동\n".encode())
    with pytest.raises(RowsError):
        read_rows("a.txt", b"x")
    with pytest.raises(RowsError):
        read_rows("a.csv", "주문번호\n\n,x\n".encode())


def test_queue_flow_monitoring_and_ageing(workspace: Workspace, lead: Membership, agent: Membership) -> None:
    queue = services.queue_save(workspace=workspace, by=lead, name="품절취소 실패", check_by=time(0, 0))
    added = services.queue_items_add(queue=queue, by=None, rows=[Row("A-1"), Row("A-2"), Row("A-1")], source="api")
    assert added == 2
    old = ExceptionItem.objects.get(reference="A-2")
    ExceptionItem.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=4))
    services.queue_item_done(item=ExceptionItem.objects.get(reference="A-1"), by=agent, note="수동 취소")
    [status] = selectors.queue_statuses(membership=agent)
    assert (status.open, status.done_today) == (1, 1)
    assert status.ageing["3-7"] == 1 and status.check_missed
    services.queue_mark_checked(queue=queue, by=agent)
    assert not selectors.queue_statuses(membership=agent)[0].check_missed
    done = ExceptionItem.objects.get(reference="A-1")
    assert done.done_by == agent.user and done.done_at is not None


def test_queue_views_import_and_isolation(workspace: Workspace, other_workspace: Workspace, lead: Membership,
                                          agent: Membership, viewer: Membership) -> None:
    client = client_for(lead)
    response = client.post(reverse("collab_queue_new", kwargs={"slug": workspace.slug}),
                           {"name": "환불 실패", "check_by": "10:00"})
    queue = ExceptionQueue.objects.get(workspace=workspace)
    assert response.status_code == 302
    kwargs: dict[str, Any] = {"slug": workspace.slug, "queue_id": queue.pk}
    upload = SimpleUploadedFile("list.csv", "주문번호,사유\nB-1,환불 실패\nB-2,환불 실패\n".encode())
    client_for(agent).post(reverse("collab_queue_import", kwargs=kwargs), {"file": upload})
    assert queue.items.count() == 2
    page = client_for(agent).get(reverse("collab_queue", kwargs=kwargs)).content.decode()
    assert "B-1" in page
    assert client_for(agent).get(reverse("collab_queues", kwargs={"slug": workspace.slug})).status_code == 200
    item = queue.items.first()
    assert item is not None
    client_for(agent).post(reverse("collab_queue_item_done", kwargs={"slug": workspace.slug, "item_id": item.pk}))
    item.refresh_from_db()
    assert item.done_at is not None
    # Agents cannot create queues; viewers cannot post; other tenants get 404.
    assert client_for(agent).post(reverse("collab_queue_new", kwargs={"slug": workspace.slug}),
                                  {"name": "x"}).status_code == 403
    assert client_for(viewer).post(reverse("collab_queue_check", kwargs=kwargs)).status_code == 403
    outsider = make_member(other_workspace)
    assert client_for(outsider).get(reverse("collab_queue", kwargs={"slug": other_workspace.slug,
                                                                    "queue_id": queue.pk})).status_code == 404
    assert client_for(outsider).post(reverse("collab_queue_item_done", kwargs={
        "slug": other_workspace.slug, "item_id": item.pk})).status_code == 404
