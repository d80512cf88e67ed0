"""Voice of the customer: catalog extensions, tag suggestions, trained models, trend alerts, reports.

The product catalog and the two-level reason taxonomy are the tickets package's own `Product` and
`Category` (name, code, aliases, product type; parent FK). This app adds only what tagging needs
next to them — order lines, reason keywords — and the records of its own features.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cxops.core.models import Workspace
from cxops.tickets.models import Call, Category, Product, Ticket


class TagField(models.TextChoices):
    CATEGORY = "category", _("문의 사유")
    PRODUCT = "product", _("상품")
    TYPE = "type", _("유형")


TAG_FIELDS = (TagField.CATEGORY, TagField.PRODUCT, TagField.TYPE)


class OrderLine(models.Model):
    """One line of an order (order number → product), imported from the mall's order data."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    order_no = models.CharField(_("주문번호"), max_length=80)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    ordered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "order_no", "product"], name="uniq_order_line")]
        indexes = [models.Index(fields=["workspace", "order_no"], name="orderline_ws_no")]


class ReasonKeywords(models.Model):
    """Keywords of one reason (category) for the cold-start rules: used while no model is trained."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="keyword_rule")
    keywords = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)


class SuggestionStatus(models.TextChoices):
    SUGGESTED = "suggested", _("제안")
    CONFIRMED = "confirmed", _("확인")
    CORRECTED = "corrected", _("수정")


class SuggestionSource(models.TextChoices):
    MODEL = "model", _("학습 모델")
    RULES = "rules", _("키워드 규칙")
    CATALOG = "catalog", _("상품 카탈로그")
    ORDER = "order", _("주문번호")


class TicketTagSuggestion(models.Model):
    """A suggested product, reason or type for a ticket (or a logged call without a ticket).

    `label` is "" when the classifier was unsure. A confirmation or correction is kept here with
    the label that was applied (`final_label`): corrections are training data.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    field = models.CharField(max_length=10, choices=TagField.choices)
    label = models.CharField(max_length=250, blank=True)
    confidence = models.FloatField(default=0.0)
    alternatives = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=10, choices=SuggestionSource.choices, default=SuggestionSource.MODEL)
    model_version = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.SUGGESTED)
    final_label = models.CharField(max_length=250, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "field"], name="uniq_suggestion_ticket_field",
                                    condition=models.Q(ticket__isnull=False)),
            models.UniqueConstraint(fields=["call", "field"], name="uniq_suggestion_call_field",
                                    condition=models.Q(call__isnull=False)),
        ]
        indexes = [models.Index(fields=["workspace", "status", "field"], name="sugg_ws_status_field")]


class TrainedModel(models.Model):
    """One trained classifier for one field of one workspace; the newest `active` one predicts."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=10, choices=TagField.choices)
    data = models.BinaryField()
    labels = models.JSONField(default=list)
    report = models.JSONField(default=dict)
    embedder = models.CharField(max_length=80, blank=True, help_text="Embedding model name; empty = lexical only.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "field", "active", "-created_at"], name="trained_ws_field")]

    @property
    def version(self) -> str:
        return f"m{self.pk}"


class TextVector(models.Model):
    """The sentence embedding of one ticket text for one embedding model, so it is computed once.

    Keyed by the model name and a hash of the normalised text (`insights.vectors.text_key`): a retrain
    and the suggestions for tickets seen before read it back instead of running the model again.
    Per workspace, so a workspace's deletion takes its vectors with it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    embedder = models.CharField(max_length=80)
    text_hash = models.CharField(max_length=32)
    dim = models.PositiveIntegerField()
    vector = models.BinaryField()  # float32, little-endian, `dim` values
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "embedder", "text_hash"],
                                               name="uniq_text_vector")]


class AlertSettings(models.Model):
    """Per-workspace thresholds and recipients of trend alerts and the weekly report email."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    min_count = models.PositiveIntegerField(default=10)
    min_score = models.FloatField(default=3.0)
    email_enabled = models.BooleanField(default=True)
    notify_managers = models.BooleanField(default=True)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)


class Dimension(models.TextChoices):
    CATEGORY = "category", _("문의 사유")
    PRODUCT = "product", _("상품")
    PRODUCT_CATEGORY = "product_category", _("상품×사유")
    CHANNEL = "channel", _("채널")


class Period(models.TextChoices):
    DAY = "day", _("일")
    WEEK = "week", _("주")
    MONTH = "month", _("월")


class TrendAlert(models.Model):
    """A spike or sustained rise found by the periodic job; one per key and period."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    key = models.CharField(max_length=80, help_text="ids as text: '12', '12:34' (product:category), 'phone'.")
    label = models.CharField(max_length=300)
    period = models.CharField(max_length=8, choices=Period.choices)
    period_start = models.DateField()
    count = models.PositiveIntegerField()
    expected = models.FloatField()
    baseline_mean = models.FloatField(default=0.0)
    baseline_std = models.FloatField(default=0.0)
    score = models.FloatField()
    kind = models.CharField(max_length=10, default="spike")
    explanation = models.TextField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "-score"]
        constraints = [models.UniqueConstraint(fields=["workspace", "dimension", "key", "period", "period_start"],
                                               name="uniq_trend_alert")]


class ReportSubscription(models.Model):
    """A weekly product feedback report emailed to a list (other departments, no account needed)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    emails = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
