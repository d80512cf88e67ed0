"""Every agent page of the knowledge base: workspace_view, tenant isolation, read-only viewers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse

from cxops.knowledge import services
from cxops.knowledge import urls as kb_urls
from tests.factories import make_member, make_ticket
from tests.knowledge.conftest import make_article

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass
class World:
    slug: str
    values: dict[str, Any]


def build_world(workspace: Any, tickets: int = 1) -> World:
    owner = make_member(workspace, "admin")
    article = make_article(workspace, f"안내 {workspace.slug}", "본문", steps=("하나",), by=owner.user)
    step = article.steps.get()
    services.step_set_image(step=step, upload=SimpleUploadedFile("s.png", PNG), by=None)
    attachment = services.attachment_add(article=article, upload=SimpleUploadedFile("a.txt", b"hello"), by=None)
    ticket = [make_ticket(workspace, phone=f"010-3333-{n:04d}") for n in range(tickets)][-1]
    return World(workspace.slug, {"slug": workspace.slug, "article_id": article.pk, "step_id": step.pk,
                                  "attachment_id": attachment.pk, "number": ticket.number})


def agent_patterns() -> list[URLPattern]:
    return [p for p in kb_urls.urlpatterns if str(p.pattern).startswith("w/")]


def url(pattern: URLPattern, values: dict[str, Any]) -> str:
    return reverse(pattern.name, kwargs={name: values[name] for name in pattern.pattern.converters})


def client_for(membership: Any) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def test_every_agent_page_is_a_workspace_view():
    assert len(agent_patterns()) >= 15
    for pattern in agent_patterns():
        assert getattr(pattern.callback, "workspace_view", False), pattern.name


def test_other_workspaces_are_404(workspace, other_workspace):
    mine, theirs = build_world(workspace), build_world(other_workspace, tickets=2)
    assert theirs.values["number"] != mine.values["number"]
    client = client_for(make_member(workspace, "admin"))
    for pattern in agent_patterns():
        target = url(pattern, theirs.values)
        for method in ("get", "post"):
            assert getattr(client, method)(target).status_code == 404, (pattern.name, method)
        if set(pattern.pattern.converters) == {"slug"}:
            continue
        target = url(pattern, {**theirs.values, "slug": mine.slug})
        statuses = {getattr(client, method)(target).status_code for method in ("get", "post")}
        assert statuses <= {403, 404, 405} and statuses != {405}, (pattern.name, statuses)


def test_client_viewers_read_but_every_post_is_403(workspace):
    world = build_world(workspace)
    client = client_for(make_member(workspace, "client_viewer"))
    for pattern in agent_patterns():
        assert client.post(url(pattern, world.values), {"title": "x"}).status_code == 403, pattern.name
    for name in ("kb_articles", "kb_dashboard", "kb_recurring"):
        assert client.get(reverse(name, kwargs={"slug": world.slug})).status_code == 200
    assert client.get(reverse("kb_article", kwargs={"slug": world.slug,
                                                    "article_id": world.values["article_id"]})).status_code == 200
