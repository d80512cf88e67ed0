import io
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from cxops.collaboration import services
from cxops.collaboration.models import ChangeEvent, Checklist, ChecklistComment, CollabRequest, ItemStatus
from cxops.collaboration.specs import PARTNER_MALL_OPENING
from cxops.core.models import Membership, Workspace
from tests.factories import make_member, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def client_for(membership: Membership, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(membership.user)
    return client


def make_checklist(workspace: Workspace) -> Checklist:
    return services.checklist_instantiate(workspace=workspace, spec=PARTNER_MALL_OPENING,
                                          launch_date=date(2026, 10, 5), actor=None)


def url(name: str, workspace: Workspace, **kwargs: Any) -> str:
    return reverse(name, kwargs={"slug": workspace.slug, **kwargs})


def test_pages_render_and_sidebar_links(workspace: Workspace, agent: Membership) -> None:
    checklist = make_checklist(workspace)
    services.change_save(workspace=workspace, actor=None, data=services.ChangeInput(
        kind="marketing", title="가을 세일 푸시", starts_on=date.today()))
    services.request_create(workspace=workspace, by=agent, data=services.RequestInput(title="관리 화면"))
    client = client_for(agent)
    for name, kwargs in [("collab_checklists", {}), ("collab_checklist", {"checklist_id": checklist.pk}),
                         ("collab_template_new", {}), ("collab_changes", {}), ("collab_change_new", {}),
                         ("collab_requests", {}), ("collab_request_new", {}), ("collab_requests_weekly", {}),
                         ("collab_request", {"number": 1}), ("collab_request_edit", {"number": 1})]:
        response = client.get(url(name, workspace, **kwargs))
        assert response.status_code == 200, name
    page = client.get(url("collab_changes", workspace)).content.decode()
    assert "가을 세일 푸시" in page and "다가오는 변경" in page
    assert url("collab_checklists", workspace) in client.get(url("inbox", workspace)).content.decode()


def test_instantiate_update_comment_export(workspace: Workspace, agent: Membership) -> None:
    client = client_for(agent)
    response = client.post(url("collab_checklist_new", workspace),
                           {"template": "builtin:partner-mall-opening", "launch_date": "2026-10-05", "name": "11번가"})
    checklist = Checklist.objects.get(workspace=workspace)
    assert response.status_code == 302 and checklist.name == "11번가"
    page = client.get(url("collab_checklist", workspace, checklist_id=checklist.pk)).content.decode()
    assert "D-3" in page and "신규 전화번호 개통" in page
    item = checklist.items.order_by("position").first()
    assert item is not None
    client.post(url("collab_item_update", workspace, item_id=item.pk),
                {"status": "done", "assignee": str(agent.pk), "outside_team": ""})
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.assignee == agent
    upload = SimpleUploadedFile("확인.txt", b"ok", content_type="text/plain")
    client.post(url("collab_item_comment", workspace, item_id=item.pk), {"body": "개통 완료", "file": upload})
    comment = ChecklistComment.objects.get(item=item)
    assert comment.filename == "확인.txt"
    download = client.get(url("collab_comment_file", workspace, comment_id=comment.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"ok"  # type: ignore[attr-defined]
    export = client.get(url("collab_checklist_export", workspace, checklist_id=checklist.pk))
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert sheet.cell(2, 4).value == "항목" and sheet.max_row == 2 + checklist.items.count()


def test_tenant_isolation_and_viewer_read_only(workspace: Workspace, other_workspace: Workspace,
                                               agent: Membership, viewer: Membership) -> None:
    theirs = make_checklist(other_workspace)
    their_member = make_member(other_workspace)
    their_event = services.change_save(workspace=other_workspace, actor=None, data=services.ChangeInput(
        kind="promotion", title="x", starts_on=date.today()))
    services.request_create(workspace=other_workspace, by=their_member, data=services.RequestInput(title="비밀"))
    item = theirs.items.first()
    assert item is not None
    comment = services.item_comment(item=item, author=None, author_label="x", body="",
                                    upload=SimpleUploadedFile("a.txt", b"a"))
    client = client_for(agent)
    # Another workspace's objects, reached through my workspace's URLs: 404.
    for response in [
        client.get(url("collab_checklist", workspace, checklist_id=theirs.pk)),
        client.get(url("collab_checklist_export", workspace, checklist_id=theirs.pk)),
        client.post(url("collab_item_update", workspace, item_id=item.pk), {"status": "done"}),
        client.post(url("collab_item_comment", workspace, item_id=item.pk), {"body": "x"}),
        client.get(url("collab_comment_file", workspace, comment_id=comment.pk)),
        client.get(url("collab_change", workspace, event_id=their_event.pk)),
        client.get(url("collab_request", workspace, number=1)),
        client.get(url("collab_checklists", other_workspace)),
    ]:
        assert response.status_code == 404
    assert "비밀" not in client.get(url("collab_requests", workspace)).content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.TODO
    # Client viewers read, and get 403 on every POST.
    mine = make_checklist(workspace)
    my_item = mine.items.first()
    assert my_item is not None
    services.request_create(workspace=workspace, by=agent, data=services.RequestInput(title="r"))
    event = services.change_save(workspace=workspace, actor=None, data=services.ChangeInput(
        kind="promotion", title="y", starts_on=date.today()))
    reader = client_for(viewer)
    assert reader.get(url("collab_checklist", workspace, checklist_id=mine.pk)).status_code == 200
    for name, kwargs in [("collab_checklist_new", {}), ("collab_template_new", {}),
                         ("collab_checklist_share", {"checklist_id": mine.pk}),
                         ("collab_checklist_share_revoke", {"checklist_id": mine.pk}),
                         ("collab_item_update", {"item_id": my_item.pk}),
                         ("collab_item_comment", {"item_id": my_item.pk}), ("collab_change_new", {}),
                         ("collab_change", {"event_id": event.pk}), ("collab_change_delete", {"event_id": event.pk}),
                         ("collab_request_new", {}), ("collab_request_edit", {"number": 1})]:
        assert reader.post(url(name, workspace, **kwargs), {"title": "x"}).status_code == 403, name


def test_share_link_outside_team(workspace: Workspace, other_workspace: Workspace, agent: Membership) -> None:
    checklist = make_checklist(workspace)
    partner_item = checklist.items.get(title="제휴사 관리자 계정 발급")
    cs_item = checklist.items.get(title="상담원 교육")
    response = client_for(agent).post(url("collab_checklist_share", workspace, checklist_id=checklist.pk),
                                      {"team": "제휴사"})
    share_url = response.context["share_url"]
    path = share_url.removeprefix("http://testserver")
    outsider = Client(enforce_csrf_checks=True)
    page = outsider.get(path)
    assert page.status_code == 200
    assert page["X-Robots-Tag"] == "noindex, nofollow" and "noindex" in page.content.decode()
    assert "상담원 교육" in page.content.decode()
    csrf = page.cookies["csrftoken"].value
    # Without the CSRF token the post is refused.
    assert outsider.post(path, {"item": partner_item.pk, "action": "status", "status": "done"}).status_code == 403
    done = outsider.post(path, {"item": partner_item.pk, "action": "status", "status": "done",
                                "csrfmiddlewaretoken": csrf})
    assert done.status_code == 302
    partner_item.refresh_from_db()
    assert partner_item.status == ItemStatus.DONE and partner_item.done_by_label == "제휴사 (공유 링크)"
    outsider.post(path, {"item": partner_item.pk, "action": "comment", "body": "계정 전달했습니다",
                         "csrfmiddlewaretoken": csrf})
    assert partner_item.comments.get().author_label == "제휴사 (공유 링크)"
    # Not their item: 404, unchanged.
    assert outsider.post(path, {"item": cs_item.pk, "action": "status", "status": "done",
                                "csrfmiddlewaretoken": csrf}).status_code == 404
    cs_item.refresh_from_db()
    assert cs_item.status == ItemStatus.TODO
    # Forged token, other workspace's slug, revoked link: 404.
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert Client().get(path.replace(token, token[:-3] + "abc")).status_code == 404
    assert Client().get(path.replace(f"/s/{workspace.slug}/", f"/s/{other_workspace.slug}/")).status_code == 404
    lead = make_member(workspace, "lead")
    client_for(lead).post(url("collab_checklist_share_revoke", workspace, checklist_id=checklist.pk))
    assert Client().get(path).status_code == 404


def test_share_link_rate_limited(workspace: Workspace, agent: Membership, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "portal_reply": "2/600"}
    checklist = make_checklist(workspace)
    item = checklist.items.get(title="제휴사 관리자 계정 발급")
    token = services.share_token(checklist, "제휴사")
    path = reverse("collab_shared_checklist", kwargs={"slug": workspace.slug, "token": token})
    client = Client()
    codes = [client.post(path, {"item": item.pk, "action": "comment", "body": "x"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_public_change_submission(workspace: Workspace, agent: Membership) -> None:
    page = client_for(agent).get(url("collab_changes", workspace))
    path = page.context["submit_url"].removeprefix("http://testserver")
    client = Client()
    assert client.get(path).status_code == 200
    response = client.post(path, {"submitted_by": "마케팅팀 김하나", "kind": "marketing", "title": "앱 푸시 쿠폰",
                                  "starts_on": "2026-12-01", "expected_impact": "high", "department": "마케팅"})
    assert response.status_code == 200 and "제출했습니다" in response.content.decode()
    event = ChangeEvent.objects.get(workspace=workspace)
    assert event.submitted_by_label == "마케팅팀 김하나 (제출 링크)" and event.created_by is None
    bad = client.post(path, {"submitted_by": "x", "kind": "promotion", "title": "t", "starts_on": "내일"})
    assert "YYYY-MM-DD" in bad.content.decode()
    assert Client().get(path[:-4] + "abc/").status_code == 404


def test_request_flow_with_ticket_links(workspace: Workspace, other_workspace: Workspace,
                                        agent: Membership) -> None:
    ticket = make_ticket(workspace)
    for _ in range(3):
        foreign = make_ticket(other_workspace)
    client = client_for(agent)
    data = {"title": "자동 품절취소 실패 관리 화면", "priority": "high", "status": "open", "ticket_numbers": f"#{ticket.number}",
            "stakeholder_name": ["물류팀", ""], "stakeholder_position": ["매일 확인 가능", ""]}
    response = client.post(url("collab_request_new", workspace), data)
    assert response.status_code == 302
    request = CollabRequest.objects.get(workspace=workspace)
    bad = client.post(url("collab_request_edit", workspace, number=request.number),
                      {**data, "ticket_numbers": str(foreign.number + 1000)})
    assert "없는 티켓 번호" in bad.content.decode()
    client.post(url("collab_request_edit", workspace, number=request.number),
                {**data, "status": "decided", "decision": "개발하기로 함", "decision_date": "2026-11-20",
                 "rationale": "월 300건", "note": "회의 결과"})
    page = client.get(url("collab_request", workspace, number=request.number)).content.decode()
    assert "r2" in page and "r1" in page and "회의 결과" in page and "물류팀" in page
    assert f"#{ticket.number}" in page
    found = client.get(url("collab_requests", workspace), {"q": "품절취소"}).content.decode()
    assert "자동 품절취소 실패 관리 화면" in found


def test_change_links_knowledge_articles_and_its_own_reminder_days(workspace: Workspace, agent: Membership,
                                                                   other_workspace: Workspace) -> None:
    from cxops.knowledge.services import ArticleInput, article_create

    article = article_create(workspace=workspace, by=agent.user, data=ArticleInput(title="쿠폰 사용 안내"))
    foreign = article_create(workspace=other_workspace, by=None, data=ArticleInput(title="남의 문서"))
    client = client_for(agent)
    form = client.get(url("collab_change_new", workspace)).content.decode()
    assert "쿠폰 사용 안내" in form and "남의 문서" not in form
    data = {"kind": "promotion", "title": "쿠폰 행사", "starts_on": "2026-12-01", "expected_impact": "high",
            "articles": [str(article.pk)], "remind_days_before": "5"}
    assert client.post(url("collab_change_new", workspace), data).status_code == 302
    event = ChangeEvent.objects.get(title="쿠폰 행사")
    assert event.article_ids == [article.pk] and event.remind_days_before == 5
    detail = client.get(url("collab_change", workspace, event_id=event.pk)).content.decode()
    assert "쿠폰 사용 안내" in detail and reverse("kb_article", kwargs={"slug": "shop", "article_id": article.pk}) in detail
    bad = client.post(url("collab_change_new", workspace), {**data, "title": "x", "articles": [str(foreign.pk)]})
    assert "지식 문서" in bad.content.decode() and not ChangeEvent.objects.filter(title="x").exists()


def test_share_pages_keep_referrers_on_this_site(workspace: Workspace) -> None:
    # "same-origin", not "no-referrer": the page posts back, and `Origin: null` would fail CSRF.
    checklist = make_checklist(workspace)
    token = services.share_token(checklist, "제휴사")
    response = Client().get(reverse("collab_shared_checklist", kwargs={"slug": workspace.slug, "token": token}))
    assert response.status_code == 200 and response["Referrer-Policy"] == "same-origin"
