"""URLs of complaint handling (mounted at the site root next to cxops.web.urls)."""

from django.urls import path

from cxops.complaints import views

W = "w/<slug:slug>/complaints/"
T = "w/<slug:slug>/tickets/<int:number>/complaint/"

urlpatterns = [
    path(W, views.home, name="complaints_home"),
    path(W + "regulator/", views.regulator_new, name="complaints_regulator_new"),
    path(W + "regulator/<int:item_id>/status/", views.regulator_status, name="complaints_regulator_status"),
    path(W + "remedies/<int:remedy_id>/", views.remedy_decide, name="complaints_remedy_decide"),
    path(W + "escalations/<int:escalation_id>/", views.escalation_update, name="complaints_escalation_update"),
    path(W + "report/", views.report, name="complaints_report"),
    path(W + "report.xlsx", views.report_export, name="complaints_report_export"),
    path(W + "settings/", views.settings_page, name="complaints_settings"),
    path(W + "settings/save/", views.settings_save, name="complaints_settings_save"),
    path(T, views.ticket_panel, name="complaints_ticket_panel"),
    path(T + "flag/", views.ticket_flag, name="complaints_ticket_flag"),
    path(T + "remedy/", views.remedy_new, name="complaints_remedy_new"),
]
