"""Labels of the three tagged fields as text, and back to the ticket's values.

* category: "부모 > 자식" (or the one name of a top-level category) — the form `cxops tickets import` reads;
* product: the product's name;
* type: the TicketType code ("complaint").
"""

from __future__ import annotations

from dataclasses import dataclass

from cxops.core.models import Workspace
from cxops.core.services import ServiceError
from cxops.tickets.models import Category, Product, TicketType

FIELDS = ("category", "product", "type")
TYPE_LABELS = {str(value): str(label) for value, label in TicketType.choices}
_TYPE_BY_KOREAN = {str(label): str(value) for value, label in TicketType.choices}


def check_field(field: str) -> str:
    if field not in FIELDS:
        raise ServiceError(f"알 수 없는 항목입니다: {field} (category, product, type 중 하나)")
    return field


def category_label(category: Category, parents: dict[int, str] | None = None) -> str:
    if category.parent_id is None:
        return category.name
    parent_name = parents[category.parent_id] if parents is not None else category.parent.name  # type: ignore[union-attr]
    return f"{parent_name} > {category.name}"


@dataclass
class LabelSpace:
    """Every label a workspace can give one field, with the ticket value each stands for."""

    field: str
    value_of: dict[str, int | str]
    label_of: dict[int | str, str]

    @classmethod
    def load(cls, workspace: Workspace | int, field: str) -> LabelSpace:
        check_field(field)
        ws_id = workspace if isinstance(workspace, int) else workspace.pk
        value_of: dict[str, int | str] = {}
        if field == "category":
            rows = list(Category.objects.filter(workspace_id=ws_id).only("pk", "name", "parent_id"))
            parents = {c.pk: c.name for c in rows}
            for c in rows:
                value_of[category_label(c, parents)] = c.pk
        elif field == "product":
            for pk, name in Product.objects.filter(workspace_id=ws_id).values_list("pk", "name"):
                value_of[name] = pk
        else:
            value_of = {code: code for code in TYPE_LABELS}
        return cls(field=field, value_of=value_of, label_of={v: k for k, v in value_of.items()})

    def value(self, label: str) -> int | str:
        """The ticket value (category id, product id, type code) of a label; a clear error when unknown."""
        clean = " ".join(label.split())
        if self.field == "category":
            clean = " > ".join(part.strip() for part in clean.split(">"))
        if self.field == "type":
            clean = _TYPE_BY_KOREAN.get(clean, clean)
        if clean in self.value_of:
            return self.value_of[clean]
        if self.field == "category":
            # A child name alone, when it is unique in the workspace.
            matches = [v for k, v in self.value_of.items() if k.rsplit(" > ", 1)[-1] == clean]
            if len(matches) == 1:
                return matches[0]
        names = {"category": "문의 사유", "product": "상품", "type": "유형"}
        raise ServiceError(f"이 워크스페이스에 없는 {names[self.field]}입니다: {label}")

    def display(self, label: str) -> str:
        """A label as shown to people (type codes in Korean)."""
        if self.field == "type":
            return TYPE_LABELS.get(label, label)
        return label
