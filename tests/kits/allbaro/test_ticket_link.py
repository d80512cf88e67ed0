"""The ticket page offers the Allbaro check only in workspaces that turned the kit on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cxops.kits.allbaro.models import KitSettings
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_ticket_page_links_the_check_when_the_kit_is_on(client, workspace, agent):
    ticket = make_ticket(workspace, subject="올바로 보관량 문의")
    client.force_login(agent.user)
    page = reverse("ticket_detail", kwargs={"slug": workspace.slug, "number": ticket.number})
    check = reverse("allbaro_ticket_check", kwargs={"slug": workspace.slug, "number": ticket.number})
    assert check not in client.get(page).content.decode()
    KitSettings.objects.create(workspace=workspace, enabled=True)
    assert check in client.get(page).content.decode()
