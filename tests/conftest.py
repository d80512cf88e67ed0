from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client

from cxops.core.models import Membership, Workspace
from tests.factories import make_member, make_workspace


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    # Services the suite needs must really be there in CI; locally a missing one skips its tests.
    os.environ.setdefault("CXOPS_REQUIRE_SERVICES", "0")


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _compiled_settings_cache() -> None:
    # Compiled settings (SLA, routing) are cached per workspace id in the process; tests reuse ids
    # after rollbacks.
    from cxops.core import versioned

    versioned.reset_all()


@pytest.fixture
def workspace(db: None) -> Workspace:
    return make_workspace(slug="shop", name="맛있는 식탁")


@pytest.fixture
def other_workspace(db: None) -> Workspace:
    return make_workspace(slug="other", name="다른 회사")


@pytest.fixture
def agent(workspace: Workspace) -> Membership:
    return make_member(workspace, "agent")


@pytest.fixture
def lead(workspace: Workspace) -> Membership:
    return make_member(workspace, "lead")


@pytest.fixture
def admin(workspace: Workspace) -> Membership:
    return make_member(workspace, "admin")


@pytest.fixture
def viewer(workspace: Workspace) -> Membership:
    return make_member(workspace, "client_viewer")


def login(client: Client, membership: Membership) -> Client:
    client.force_login(membership.user)
    return client


@pytest.fixture
def agent_client(client: Client, agent: Membership) -> Client:
    return login(client, agent)
