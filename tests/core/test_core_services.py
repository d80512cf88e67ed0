from __future__ import annotations

import json

import pytest

from cxops.cli import main
from cxops.core import audit
from cxops.core.models import AuditEvent, Membership, Workspace
from cxops.core.services import ServiceError, invitation_accept, invitation_create, membership_set
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db


def test_audit_trail_is_append_only(workspace) -> None:
    event = audit.record(workspace=workspace, actor=None, action="x", obj=workspace)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="y")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_workspace_create_installs_defaults_and_is_idempotent(capsys) -> None:
    assert main(["workspace", "create", "--slug", "acme", "--name", "에이크미"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["workspace", "create", "--slug", "acme", "--name", "에이크미"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert first["created"] is True and second["created"] is False and first["id"] == second["id"]
    workspace = Workspace.objects.get(slug="acme")
    assert workspace.categories.filter(parent__isnull=True).count() >= 5
    assert workspace.timezone == "Asia/Seoul"


def test_roles(workspace) -> None:
    lead = make_member(workspace, "lead")
    viewer = make_member(workspace, "client_viewer")
    assert lead.has_role("agent") and lead.has_role("lead") and not lead.has_role("manager")
    assert not viewer.can_write and viewer.has_role("client_viewer") and not viewer.has_role("agent")


def test_membership_set_rejects_unknown_role(workspace) -> None:
    with pytest.raises(ServiceError):
        membership_set(workspace=workspace, user=make_user(), role="king", actor=None)


def test_invitation_flow(workspace, admin, mailoutbox, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, raw = invitation_create(workspace=workspace, email="new@example.kr", role="agent",
                                             actor=admin.user)
    assert mailoutbox and raw in mailoutbox[0].body
    membership = invitation_accept(raw_token=raw, password="a-strong-pass-9", display_name="신입")
    assert membership.role == "agent" and membership.workspace == workspace
    with pytest.raises(ServiceError):
        invitation_accept(raw_token=raw, password="a-strong-pass-9", display_name="신입")
    assert Membership.objects.filter(user__email="new@example.kr").count() == 1


def test_check_command_reports_ok(capsys) -> None:
    code = main(["check"])
    out = capsys.readouterr().out
    assert code == 0, out
