"""Who gets which ticket: routing rules (channel/category/type → team), each team's assignment
mode and fallbacks, and agents' skills. Data and invariants only; the rules live in services."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from cxops.core.models import Membership, Team, Workspace
from cxops.tickets.models import Category, Product


class Mode(models.TextChoices):
    MANUAL = "manual", _("수동 (큐에서 직접 받기)")
    ROUND_ROBIN = "round_robin", _("순환 배정")
    LEAST_LOADED = "least_loaded", _("최소 부하")
    SKILL = "skill", _("스킬 우선")


class AvailabilitySource(models.TextChoices):
    STATUS = "status", _("상담 가능 상태 (온라인만)")
    SCHEDULE = "schedule", _("근무표 (지금 근무 중인 상담원)")


class OnOffline(models.TextChoices):
    KEEP = "keep", _("그대로 둠")
    QUEUE = "queue", _("팀 큐로 되돌림")
    REASSIGN = "reassign", _("다른 상담원에게 다시 배정")


class ClaimOrder(models.TextChoices):
    URGENT_FIRST = "urgent_first", _("긴급한 것부터 (우선순위, 오래된 순)")
    OLDEST_FIRST = "oldest_first", _("오래된 것부터")


class AssignmentSettings(models.Model):
    """Workspace-wide routing settings: the queue of tickets no rule sends anywhere."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="assignment_settings")
    default_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("기본 팀"))
    claim_order = models.CharField(_("다음 티켓 순서"), max_length=20, choices=ClaimOrder.choices,
                                   default=ClaimOrder.URGENT_FIRST)
    updated_at = models.DateTimeField(default=now)


class TeamAssignmentConfig(models.Model):
    """How one team hands out its tickets. The row is also the team's assignment lock: every
    automatic assignment into the team takes it FOR UPDATE first, so the round-robin cursor and
    the load counts it reads are not changed under it by another assigner of the same team."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="assignment_config")
    mode = models.CharField(_("배정 방식"), max_length=20, choices=Mode.choices, default=Mode.MANUAL)
    availability_source = models.CharField(_("상담 가능 판단"), max_length=10, choices=AvailabilitySource.choices,
                                           default=AvailabilitySource.STATUS)
    require_skill = models.BooleanField(_("스킬이 맞는 상담원에게만"), default=False,
                                        help_text="Skill mode: agents without a matching skill are not considered.")
    on_offline = models.CharField(_("상담원이 오프라인이 되면"), max_length=10, choices=OnOffline.choices,
                                  default=OnOffline.QUEUE)
    fallback_teams: models.ManyToManyField[Team, FallbackTeam] = models.ManyToManyField(
        Team, through="FallbackTeam", related_name="+", blank=True)
    # Round robin: the membership that got the last ticket; the next goes to the next id after it.
    rr_last_membership_id = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.team_id}: {self.mode}"


class FallbackTeam(models.Model):
    """Where a team's ticket goes, in `position` order, when none of the team's agents can take it."""

    config = models.ForeignKey(TeamAssignmentConfig, on_delete=models.CASCADE, related_name="fallbacks")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["config", "team"], name="uniq_asg_fallback_team")]


class AgentSkill(models.Model):
    """An agent's skill for a category, a product or a channel (at least one), level 1–5."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="assignment_skills")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    channel = models.CharField(max_length=20, blank=True)
    level = models.PositiveSmallIntegerField(default=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "category", "product", "channel"],
                                    name="uniq_asg_skill"),
            models.CheckConstraint(condition=Q(category__isnull=False) | Q(product__isnull=False) | ~Q(channel=""),
                                   name="asg_skill_has_subject"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="asg_skill_level_range"),
        ]
        indexes = [models.Index(fields=["workspace", "membership"], name="asg_skill_ws_member")]


class RoutingRule(models.Model):
    """Sends a new ticket without a team to `team` when it matches. Empty condition = any value.
    Rules are tried by `position`; the first match wins. A category condition also matches the
    subcategories of that category."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("이름"), max_length=80)
    position = models.IntegerField(default=100)
    is_active = models.BooleanField(default=True)
    channels = models.JSONField(default=list, blank=True)
    types = models.JSONField(default=list, blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["workspace", "position"], name="asg_rule_ws_pos")]

    def __str__(self) -> str:
        return self.name
