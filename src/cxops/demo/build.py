"""Write the demo plan to the database.

Configuration (workspaces, members, teams, macros, saved views) goes through the real services so
the audit trail shows who set things up. The bulk history (≈2,000 tickets, their messages and
calls) is written with ``bulk_create`` for speed; this module then keeps the invariants the
services would have kept: ticket numbers unique per workspace, taken from its counter
(:mod:`cxops.tickets.numbering`), ``message_count``, first-response/solved/closed times, customer identities, and
finally the search index (:func:`cxops.tickets.search.reindex_workspace`). A few fresh tickets
are made through the services as well (see :mod:`cxops.demo.live`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction

from cxops.core.models import Availability, Membership, Role, User, Workspace
from cxops.core.sanitize import text_to_html
from cxops.core.services import membership_set, team_create, workspace_create, workspace_update
from cxops.demo.content import SLUGS, SPECS
from cxops.demo.people import CENTER_NAME, DEMO_PASSWORD, STAFF, Staff
from cxops.demo.plan import WorkspacePlan, default_now, plan_demo
from cxops.tickets import lookups, numbering
from cxops.tickets.models import (
    Call,
    Category,
    Customer,
    CustomerIdentity,
    CustomField,
    DeliveryStatus,
    IdentityKind,
    Macro,
    Message,
    Product,
    Tag,
    Ticket,
    WorkspaceStatus,
)
from cxops.tickets.search import reindex_workspace
from cxops.tickets.services import macro_save, saved_view_save

Log = Callable[[str], None]


@dataclass
class DemoResult:
    created: bool
    message: str
    seed: int = 0
    now: datetime | None = None
    seconds: float = 0.0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        total: dict[str, int] = defaultdict(int)
        for counts in self.counts.values():
            for key, value in counts.items():
                total[key] += value
        return dict(total)


def existing_demo_slugs() -> list[str]:
    return list(Workspace.objects.filter(slug__in=SLUGS).order_by("slug").values_list("slug", flat=True))


def load_demo(*, seed: int = 42, now: datetime | None = None, tickets: int = 2000, reset: bool = False,
              log: Log = lambda _line: None) -> DemoResult:
    """Create the demo workspaces; skip (and say so) when they exist unless ``reset`` is set."""
    from cxops.demo import live
    from cxops.knowledge.demo import load_kb_demo

    started = time.perf_counter()
    existing = existing_demo_slugs()
    if existing and not reset:
        return DemoResult(created=False, message=(
            f"데모 워크스페이스가 이미 있습니다 ({', '.join(existing)}). 그대로 둡니다. "
            "지우고 다시 만들려면 --reset 을 붙여 실행하세요."))
    now = now or default_now()
    log("데모 데이터를 계획하는 중…")
    plans = plan_demo(SPECS, seed=seed, now=now, tickets=tickets, reserve=live.RESERVED)
    with transaction.atomic():
        if existing:
            log(f"기존 데모 워크스페이스를 지우는 중… ({', '.join(existing)})")
            Workspace.objects.filter(slug__in=SLUGS).delete()
        users = ensure_staff()
        workspaces: dict[str, Workspace] = {}
        for plan in plans:
            log(f"{plan.spec.name} ({plan.spec.slug}): 티켓 {len(plan.tickets)}건, 통화 {len(plan.calls)}건 저장 중…")
            workspaces[plan.spec.slug] = write_workspace(plan, users, Random(f"cxops-demo:{seed}:{plan.spec.slug}:db"))
        log("서비스를 거쳐 최근 문의 몇 건을 만드는 중…")
        live.create_live_examples(workspaces=workspaces, users=users, now=now)
        load_kb_demo(workspaces=workspaces, log=log)
        if apps.is_installed("cxops.complaints"):
            from cxops.complaints.demo import load_complaint_demo

            log("민원 예시(에스컬레이션, 보상 승인 대기, 1372 민원)를 만드는 중…")
            load_complaint_demo(workspaces=workspaces)
        for slug, workspace in workspaces.items():
            log(f"{slug}: 검색 색인을 만드는 중…")
            reindex_workspace(workspace_id=workspace.pk)
    counts = {slug: workspace_counts(workspace) for slug, workspace in workspaces.items()}
    return DemoResult(created=True, message="데모 데이터를 만들었습니다.", seed=seed, now=now,
                      seconds=time.perf_counter() - started, counts=counts)


def ensure_staff() -> dict[str, User]:
    """The fixed demo logins, all with the documented password (hashed once, shared)."""
    encoded = make_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    for staff in STAFF:
        user = User.objects.filter(email=staff.email).first()
        if user is None:
            user = User(username=staff.email, email=staff.email)
        user.display_name = staff.name
        user.first_name = staff.name
        user.language = "ko"
        user.is_active = True
        user.password = encoded
        user.save()
        users[staff.email] = user
    return users


def _role(staff: Staff, slug: str) -> str:
    return staff.roles.get(slug, "")


def write_workspace(plan: WorkspacePlan, users: dict[str, User], rng: Random) -> Workspace:
    spec = plan.spec
    admin = users["admin@cxops.demo"]
    workspace, _created = workspace_create(slug=spec.slug, name=spec.name, actor=admin)
    workspace_update(workspace=workspace, actor=admin, board_intro=spec.board_intro, brand_color=spec.brand_color)
    Workspace.objects.filter(pk=workspace.pk).update(created_at=plan.now - timedelta(days=180),
                                                     settings={"demo": True, "center": CENTER_NAME})

    # Members and teams.
    memberships: dict[str, Membership] = {}
    for staff in STAFF:
        role = _role(staff, spec.slug)
        if not role:
            continue
        membership = membership_set(workspace=workspace, user=users[staff.email], role=role, actor=admin)
        if role != Role.CLIENT_VIEWER:
            availability = Availability.ONLINE if role in (Role.AGENT, Role.LEAD) and rng.random() < 0.75 else \
                rng.choice([Availability.AWAY, Availability.OFFLINE])
            Membership.objects.filter(pk=membership.pk).update(availability=availability, capacity=staff.capacity)
        memberships[staff.email] = membership
    teams = {}
    for name in spec.teams:
        members = [memberships[s.email] for s in STAFF if name in s.teams.get(spec.slug, ())]
        teams[name] = team_create(workspace=workspace, name=name, actor=admin, members=members)

    # The workspace's own categories replace the e-commerce defaults; statuses likewise.
    Category.objects.filter(workspace=workspace).delete()
    parents = Category.objects.bulk_create([
        Category(workspace=workspace, name=name, position=i) for i, name in enumerate(spec.categories)
    ])
    children = Category.objects.bulk_create([
        Category(workspace=workspace, parent=parent, name=child, position=j)
        for parent in parents for j, child in enumerate(spec.categories[parent.name])
    ])
    categories = {(c.parent.name, c.name): c for c in children if c.parent is not None}
    WorkspaceStatus.objects.filter(workspace=workspace).exclude(name__in=[n for n, _ in spec.statuses]).delete()
    for position, (name, base) in enumerate(spec.statuses):
        WorkspaceStatus.objects.update_or_create(workspace=workspace, name=name,
                                                 defaults={"base_status": base, "position": position})
    statuses = {s.name: s for s in WorkspaceStatus.objects.filter(workspace=workspace)}
    products = {p.code: p for p in Product.objects.bulk_create([
        Product(workspace=workspace, name=p.name, code=p.code, aliases=list(p.aliases), product_type=p.product_type)
        for p in spec.products
    ])}
    CustomField.objects.bulk_create([
        CustomField(workspace=workspace, key=f.key, label=f.label, kind=f.kind, choices=list(f.choices), position=i)
        for i, f in enumerate(spec.custom_fields)
    ])
    lookups.invalidate(workspace.pk)  # bulk writes send no signals

    # Macros and shared views, through the services (audited).
    admin_membership = memberships["admin@cxops.demo"]
    lead_membership = next((memberships[s.email] for s in STAFF if _role(s, spec.slug) == Role.LEAD), admin_membership)
    for macro in spec.macros:
        saved = macro_save(workspace=workspace, by=lead_membership, title=macro.title, body=macro.body,
                           category_id=categories[macro.category].pk if macro.category else None,
                           set_status=macro.set_status)
        Macro.objects.filter(pk=saved.pk).update(usage_count=rng.randrange(3, 240))
    for view in spec.views:
        saved_view_save(workspace=workspace, by=lead_membership, name=view.name, filters=dict(view.filters),
                        sort=view.sort, shared=True)

    # Business hours and SLA policies (Korean defaults), so the history below gets deadlines.
    from cxops.sla.services import workspace_sla_defaults_install

    workspace_sla_defaults_install(workspace=workspace, actor=admin)
    write_history(plan, workspace, users=users, categories=categories, statuses=statuses, products=products,
                  teams={name: team.pk for name, team in teams.items()})
    return workspace


def write_history(plan: WorkspacePlan, workspace: Workspace, *, users: dict[str, User],
                  categories: dict[tuple[str, str], Category], statuses: dict[str, WorkspaceStatus],
                  products: dict[str, Product], teams: dict[str, int]) -> None:
    """Customers, tickets, messages, tags and calls in bulk, with the invariants kept by hand."""
    # Customers and how to recognise them again.
    customers = Customer.objects.bulk_create([
        Customer(
            workspace=workspace, name=c.name, phones=[c.phone_digits], emails=[c.email] if c.email else [],
            external_ids={k: v for k, v in {
                **c.external, "mall_user_id": c.mall_user_id, "orders": list(c.orders),
                "company": c.company}.items() if v},
            notes=c.notes, tier=c.tier, created_at=c.created_at or plan.now,
        )
        for c in plan.customers
    ])
    identities = []
    for plan_customer, customer in zip(plan.customers, customers, strict=True):
        identities.append(CustomerIdentity(workspace=workspace, customer=customer, kind=IdentityKind.PHONE,
                                           value=plan_customer.phone_digits))
        if plan_customer.email:
            identities.append(CustomerIdentity(workspace=workspace, customer=customer, kind=IdentityKind.EMAIL,
                                               value=plan_customer.email))
        if plan_customer.mall_user_id:
            identities.append(CustomerIdentity(workspace=workspace, customer=customer, kind=IdentityKind.MALL_USER,
                                               value=plan_customer.mall_user_id))
        identities += [CustomerIdentity(workspace=workspace, customer=customer, kind=IdentityKind.ORDER, value=o)
                       for o in plan_customer.orders]
    CustomerIdentity.objects.bulk_create(identities, batch_size=500)

    # Tickets, numbered in order of arrival after the workspace's current sequence.
    numbers = numbering.take_numbers(workspace.pk, len(plan.tickets))
    user_ids = {email: user.pk for email, user in users.items()}
    tickets = Ticket.objects.bulk_create([
        Ticket(
            workspace=workspace, number=numbers[i], external_id=t.external_id, subject=t.subject,
            channel=t.channel, status=t.status,
            custom_status=statuses.get(t.custom_status) if t.custom_status else None,
            priority=t.priority, type=t.type, category=categories[t.category],
            product=products[t.product] if t.product else None, team_id=teams.get(t.team),
            assignee_id=user_ids[t.assignee] if t.assignee else None, customer=customers[t.customer],
            custom_fields=t.custom_fields, order_number=t.order_number, created_at=t.created_at,
            updated_at=t.updated_at or t.created_at, first_response_at=t.first_response_at, solved_at=t.solved_at,
            closed_at=t.closed_at, last_customer_message_at=t.last_customer_message_at,
            message_count=len(t.messages),
        )
        for i, t in enumerate(plan.tickets)
    ], batch_size=500)

    messages = []
    for plan_ticket, ticket in zip(plan.tickets, tickets, strict=True):
        for m in plan_ticket.messages:
            delivered = m.kind == "reply" and m.channel in ("board", "email")
            messages.append(Message(
                workspace=workspace, ticket=ticket, kind=m.kind, channel=m.channel, body_text=m.body,
                body_html=text_to_html(m.body), author_id=user_ids[m.author] if m.author else None,
                author_name=m.author_name, external_id=m.external_id,
                delivery_status=DeliveryStatus.SENT if delivered else DeliveryStatus.NONE, created_at=m.at,
            ))
    Message.objects.bulk_create(messages, batch_size=1000)

    tag_names = sorted({name for t in plan.tickets for name in t.tags})
    tags = {tag.name: tag for tag in Tag.objects.bulk_create([Tag(workspace=workspace, name=n) for n in tag_names])}
    through = Ticket.tags.through
    through.objects.bulk_create([
        through(ticket_id=ticket.pk, tag_id=tags[name].pk)
        for plan_ticket, ticket in zip(plan.tickets, tickets, strict=True) for name in dict.fromkeys(plan_ticket.tags)
    ], batch_size=1000)

    Call.objects.bulk_create([
        Call(
            workspace=workspace, customer=customers[c.customer] if c.customer is not None else None,
            ticket=tickets[c.ticket] if c.ticket is not None else None, agent_id=user_ids[c.agent],
            direction=c.direction, phone=c.phone, category=categories.get(c.category) if c.category else None,
            product=products[c.product] if c.product else None, summary=c.summary, duration_seconds=c.duration,
            outcome=c.outcome, started_at=c.started_at, created_at=c.started_at,
        )
        for c in plan.calls
    ], batch_size=500)

    # SLA deadlines of the history in bulk; warnings and breaches already past count as recorded.
    from cxops.sla.services import tickets_sla_compute

    tickets_sla_compute(workspace_id=workspace.pk, ticket_ids=[t.pk for t in tickets], quiet_past=True)


def workspace_counts(workspace: Workspace) -> dict[str, int]:
    from cxops.tickets.models import OPEN_STATUSES, SavedView

    tickets = Ticket.objects.filter(workspace=workspace)
    return {
        "tickets": tickets.count(),
        "open": tickets.filter(status__in=OPEN_STATUSES).count(),
        "messages": Message.objects.filter(workspace=workspace).count(),
        "calls": Call.objects.filter(workspace=workspace).count(),
        "customers": Customer.objects.filter(workspace=workspace).count(),
        "members": Membership.objects.filter(workspace=workspace).count(),
        "categories": Category.objects.filter(workspace=workspace).count(),
        "products": Product.objects.filter(workspace=workspace).count(),
        "macros": Macro.objects.filter(workspace=workspace).count(),
        "views": SavedView.objects.filter(workspace=workspace).count(),
    }


def staff_roles() -> list[dict[str, Any]]:
    """The demo logins for the printed summary."""
    return [{"email": s.email, "name": s.name, "title": s.title, "roles": dict(s.roles)} for s in STAFF]
