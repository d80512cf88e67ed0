"""URLs of the voice-of-the-customer pages (mounted at the site root next to cxops.web.urls)."""

from django.urls import path

from cxops.insights import views

W = "w/<slug:slug>/voc/"

urlpatterns = [
    path(W, views.dashboard, name="insights_dashboard"),
    path(W + "trends/", views.trends, name="insights_trends"),
    path(W + "alerts/", views.alerts, name="insights_alerts"),
    path(W + "alerts/settings/", views.alert_settings, name="insights_alert_settings"),
    path(W + "alerts/scan/", views.alerts_scan_now, name="insights_alerts_scan"),
    path(W + "alerts/<int:alert_id>/report/", views.alert_report, name="insights_alert_report"),
    path(W + "products/", views.products, name="insights_products"),
    path(W + "products/import/", views.products_import, name="insights_products_import"),
    path(W + "products/save/", views.product_save, name="insights_product_save"),
    path(W + "orders/import/", views.orders_import, name="insights_orders_import"),
    path(W + "products/<int:product_id>/report/", views.report, name="insights_report"),
    path(W + "products/<int:product_id>/report.xlsx", views.report_xlsx, name="insights_report_xlsx"),
    path(W + "products/<int:product_id>/report.pdf", views.report_pdf, name="insights_report_pdf"),
    path(W + "products/<int:product_id>/share/", views.report_share, name="insights_report_share"),
    path(W + "products/<int:product_id>/subscribe/", views.report_subscribe, name="insights_report_subscribe"),
    path(W + "subscriptions/<int:subscription_id>/delete/", views.report_unsubscribe,
         name="insights_report_unsubscribe"),
    path(W + "reasons/", views.reasons, name="insights_reasons"),
    path(W + "reasons/save/", views.reason_save, name="insights_reason_save"),
    path(W + "reasons/<int:category_id>/delete/", views.reason_delete, name="insights_reason_delete"),
    path(W + "models/", views.models_page, name="insights_models"),
    path(W + "models/train/", views.model_train, name="insights_model_train"),
    path(W + "tickets/<int:number>/panel/", views.ticket_panel, name="insights_ticket_panel"),
    path(W + "tickets/<int:number>/suggest/", views.ticket_suggest_again, name="insights_ticket_suggest"),
    path(W + "suggestions/<int:suggestion_id>/decide/", views.suggestion_decide, name="insights_suggestion_decide"),
    path("s/<slug:slug>/voc-report/<str:token>/", views.shared_report, name="insights_shared_report"),
]
