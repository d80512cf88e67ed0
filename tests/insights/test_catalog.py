from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from cxops.cli import main
from cxops.core.services import ServiceError
from cxops.insights import services
from cxops.insights.models import OrderLine, ReasonKeywords
from cxops.insights.tagging import reason_rules
from cxops.tickets.models import Category, Product

pytestmark = pytest.mark.django_db


def _csv(tmp_path, text: str, name: str = "products.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_products_import_cli_upserts(workspace, tmp_path, capsys):
    path = _csv(tmp_path, "상품명,상품코드,별칭,상품유형\n무선 이어폰 프로,EP-100,\"버즈, 이어폰\",음향\n스마트 워치,SW-2,,웨어러블\n")
    assert main(["insights", "products", "import", str(path), "--workspace", "shop"]) == 0
    assert json.loads(capsys.readouterr().out) == {"created": 2, "updated": 0, "unchanged": 0, "errors": []}
    product = Product.objects.get(workspace=workspace, code="EP-100")
    assert product.aliases == ["버즈", "이어폰"] and product.product_type == "음향"
    # Same code, new name: an update, matched by code.
    path = _csv(tmp_path, "상품명,상품코드\n무선 이어폰 프로 2세대,EP-100\n스마트 워치,SW-2\n")
    assert main(["insights", "products", "import", str(path), "--workspace", "shop"]) == 0
    assert json.loads(capsys.readouterr().out)["updated"] == 1
    assert Product.objects.get(workspace=workspace, code="EP-100").name == "무선 이어폰 프로 2세대"


def test_products_import_is_all_or_nothing(workspace, tmp_path, capsys):
    path = _csv(tmp_path, "상품명,상품코드\n좋은 상품,A1\n,A2\n좋은 상품,A3\n")
    assert main(["insights", "products", "import", str(path), "--workspace", "shop"]) == 1
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "상품명"), (4, "상품명")]
    assert "상품명을 입력해 주세요" in errors[0]["message"]
    assert not Product.objects.filter(workspace=workspace).exists()


def test_products_import_xlsx_and_missing_column(workspace):
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "SKU"])
    sheet.append(["보조배터리 10000", 12345])
    data = io.BytesIO()
    book.save(data)
    summary = services.products_import(workspace=workspace, data=data.getvalue(), filename="p.xlsx")
    assert summary.created == 1 and Product.objects.get(workspace=workspace).code == "12345"
    bad = services.products_import(workspace=workspace, data="코드\nA\n".encode(), filename="p.csv")
    assert bad.errors and "필수 열" in bad.errors[0].message


def test_order_lines_import(workspace, tmp_path, capsys):
    Product.objects.create(workspace=workspace, name="무선 이어폰", code="EP-1")
    path = _csv(tmp_path, "주문번호,상품코드,수량,주문일시\nO-1,EP-1,2,2026-11-01 10:00\nO-2,없는코드,1,\n", "orders.csv")
    assert main(["insights", "orders", "import", str(path), "--workspace", "shop"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["errors"][0]["row"] == 3 and not OrderLine.objects.exists()
    path = _csv(tmp_path, "주문번호,상품명\nO-1,무선 이어폰\nO-1,무선 이어폰\n", "orders.csv")
    assert main(["insights", "orders", "import", str(path), "--workspace", "shop"]) == 0
    assert OrderLine.objects.filter(workspace=workspace, order_no="O-1").count() == 1


def test_reason_taxonomy_and_keywords(workspace, admin):
    delivery = Category.objects.get(workspace=workspace, name="배송", parent=None)
    child = services.reason_save(workspace=workspace, by=admin, name="택배 분실", parent_id=delivery.pk,
                                 keywords=["분실", "없어졌", "분실"])
    assert str(child) == "배송 > 택배 분실"
    assert ReasonKeywords.objects.get(category=child).keywords == ["분실", "없어졌"]
    with pytest.raises(ServiceError, match="두 단계"):
        services.reason_save(workspace=workspace, by=admin, name="세부", parent_id=child.pk)
    with pytest.raises(ServiceError, match="같은 이름"):
        services.reason_save(workspace=workspace, by=admin, name="택배 분실", parent_id=delivery.pk)
    from cxops.insights.matching import Analysed

    hits = reason_rules(workspace.pk).match(Analysed.of("택배가 분실됐대요"))
    assert hits[0].label == "배송 > 택배 분실"
    # Emptying a default reason's keywords turns its rule off.
    late = Category.objects.get(workspace=workspace, name="배송 지연")
    services.reason_save(workspace=workspace, by=admin, name="배송 지연", parent_id=delivery.pk, category=late,
                         keywords=[])
    assert all(h.label != "배송 > 배송 지연" for h in reason_rules(workspace.pk).match(Analysed.of("너무 늦어요")))
    services.reason_delete(category=child, by=admin)
    assert not Category.objects.filter(pk=child.pk).exists()


def test_agents_cannot_edit_catalog(workspace, agent):
    with pytest.raises(PermissionError):
        services.product_save(workspace=workspace, by=agent, name="상품")
