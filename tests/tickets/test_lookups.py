"""The per-workspace choice lists (categories, products, teams, members, statuses) are read once and
follow every change."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cxops.core.models import Team
from cxops.tickets.forms import assignee_choices, category_choices, product_choices, status_choices, team_choices
from cxops.tickets.models import Category, Product, WorkspaceStatus
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db


def all_choices(membership):
    return (category_choices(membership), product_choices(membership), team_choices(membership),
            assignee_choices(membership), status_choices(membership))


def test_choices_are_read_once_and_follow_every_change(workspace, other_workspace, agent):
    all_choices(agent)
    with CaptureQueriesContext(connection) as queries:
        all_choices(agent)
    assert queries.captured_queries == []

    parent = Category.objects.get(workspace=workspace, name="배송", parent=None)
    child = Category.objects.create(workspace=workspace, parent=parent, name="새벽배송", position=99)
    assert (child.pk, "배송 › 새벽배송") in category_choices(agent)
    product = Product.objects.create(workspace=workspace, name="한우 세트")
    assert (product.pk, "한우 세트") in product_choices(agent)
    product.is_active = False
    product.save()
    assert (product.pk, "한우 세트") not in product_choices(agent)
    team = Team.objects.create(workspace=workspace, name="배송팀")
    assert (team.pk, "배송팀") in team_choices(agent)
    status = WorkspaceStatus.objects.create(workspace=workspace, name="택배 분실 조사", base_status="on_hold")
    assert any(value == f"custom-{status.pk}" for _group, values in status_choices(agent)[-1:] for value, _ in values)

    colleague = make_member(workspace, "agent", user=make_user(name="박상담"))
    assert (colleague.user_id, "박상담") in assignee_choices(agent)
    colleague.user.display_name = "박지은"
    colleague.user.save()
    assert (colleague.user_id, "박지은") in assignee_choices(agent)
    colleague.is_active = False
    colleague.save()
    assert colleague.user_id not in [pk for pk, _ in assignee_choices(agent)]

    # Another workspace's lists are its own.
    outsider = make_member(other_workspace, "agent")
    assert (child.pk, "배송 › 새벽배송") not in category_choices(outsider)
    assert (team.pk, "배송팀") not in team_choices(outsider)
