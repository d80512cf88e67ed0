"""Tenant isolation, read-only client viewers and CSRF, checked over every URL of the agent UI.

The walks iterate the URL patterns of cxops.web.urls, so a new page is covered as soon as it is
added; a new URL keyword makes `KWARGS` fail loudly until it is mapped to an object.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from cxops.web import urls as web_urls
from tests.factories import make_member
from tests.web.conftest import World, client_for

pytestmark = pytest.mark.django_db

# URL keyword → the object of a world it should point at.
KWARGS: dict[str, Callable[[World], object]] = {
    "slug": lambda w: w.workspace.slug,
    "number": lambda w: w.ticket.number,
    "customer_id": lambda w: w.customer.pk,
    "attachment_id": lambda w: w.attachment.pk,
    "macro_id": lambda w: w.macro.pk,
    "view_id": lambda w: w.saved_view.pk,
    "webhook_id": lambda w: w.webhook.pk,
    "membership_id": lambda w: w.member.pk,
    "call_id": lambda w: w.call.pk,
}


def workspace_patterns() -> list[URLPattern]:
    patterns = [p for p in web_urls.urlpatterns if isinstance(p, URLPattern) and str(p.pattern).startswith("w/")]
    assert len(patterns) > 30
    return patterns


def build(pattern: URLPattern, world: World, slug_world: World | None = None) -> str:
    kwargs = {}
    for name in pattern.pattern.converters:
        assert name in KWARGS, f"map the URL keyword {name!r} of {pattern.name} in KWARGS"
        kwargs[name] = KWARGS[name](world)
    if slug_world is not None:
        kwargs["slug"] = slug_world.workspace.slug
    return reverse(pattern.name, kwargs=kwargs)


def test_every_workspace_page_is_guarded_by_workspace_view():
    for pattern in workspace_patterns():
        assert getattr(pattern.callback, "workspace_view", False), pattern.name
    # and the resolver really serves these patterns
    assert "inbox" in get_resolver().reverse_dict


def test_member_of_a_gets_404_for_everything_of_b(world, other_world):
    """Logged in as an admin of A (so role checks never hide the answer)."""
    client = client_for(world.admin)
    assert other_world.ticket.number not in set(world.workspace.tickets.values_list("number", flat=True))
    for pattern in workspace_patterns():
        # B's workspace in the URL: nothing of B exists for A.
        url = build(pattern, other_world)
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            assert status == 404, (pattern.name, method, url, status)
        # A's workspace in the URL but B's objects in the other keywords.
        if set(pattern.pattern.converters) == {"slug"}:
            continue
        url = build(pattern, other_world, slug_world=world)
        statuses = {method: getattr(client, method)(url).status_code for method in ("get", "post")}
        assert set(statuses.values()) <= {403, 404, 405}, (pattern.name, url, statuses)
        assert set(statuses.values()) != {405}, (pattern.name, url, statuses)


def test_client_viewer_reads_but_every_post_is_403(world):
    viewer = make_member(world.workspace, "client_viewer")
    client = client_for(viewer)
    for pattern in workspace_patterns():
        url = build(pattern, world)
        status = client.post(url, {"body": "x", "mode": "reply", "availability": "online"}).status_code
        assert status == 403, (pattern.name, url, status)
    for name in ("inbox", "calls", "customers", "macros"):
        assert client.get(reverse(name, kwargs={"slug": world.workspace.slug})).status_code == 200
    assert client.get(build(next(p for p in workspace_patterns() if p.name == "ticket_detail"), world)).status_code == 200


def test_csrf_is_enforced(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.agent.user)
    page = reverse("ticket_detail", kwargs={"slug": world.workspace.slug, "number": world.ticket.number})
    compose = reverse("ticket_compose", kwargs={"slug": world.workspace.slug, "number": world.ticket.number})
    client.get(page)
    assert client.post(compose, {"mode": "note", "body": "csrf 없음"}).status_code == 403
    token = client.cookies["csrftoken"].value
    response = client.post(compose, {"mode": "note", "body": "csrf 있음"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302
    html = client.get(page).content.decode()
    assert "csrf 있음" in html and "csrf 없음" not in html
    assert 'name="csrfmiddlewaretoken"' in html and "X-CSRFToken" in html  # forms and htmx both carry it


def test_attachment_of_an_internal_note_is_hidden_from_viewers(world):
    from cxops.tickets.channels.base import InboundAttachment
    from cxops.tickets.models import Attachment, MessageKind
    from cxops.tickets.services import _store_attachments

    note = world.ticket.messages.filter(kind=MessageKind.NOTE).first()
    _store_attachments(note, [InboundAttachment(filename="내부.txt", content_type="text/plain", content=b"secret")])
    attachment = Attachment.objects.get(filename="내부.txt")
    url = reverse("attachment_download", kwargs={"slug": world.workspace.slug, "attachment_id": attachment.pk})
    assert client_for(world.agent).get(url).status_code == 200
    assert client_for(make_member(world.workspace, "client_viewer")).get(url).status_code == 404
