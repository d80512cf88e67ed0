"""URLs of workforce planning (mounted at the site root next to cxops.web.urls)."""

from django.urls import path

from cxops.workforce import views

W = "w/<slug:slug>/workforce/"

urlpatterns = [
    path(W + "forecast/", views.forecast, name="wf_forecast"),
    path(W + "forecast/save/", views.forecast_save, name="wf_forecast_save"),
    path(W + "staffing/", views.staffing, name="wf_staffing"),
    path(W + "staffing/export.xlsx", views.staffing_export, name="wf_staffing_export"),
    path(W + "setup/", views.setup, name="wf_setup"),
    path(W + "setup/channel/", views.settings_save, name="wf_settings_save"),
    path(W + "setup/shifts/", views.shift_save, name="wf_shift_save"),
    path(W + "setup/agents/<int:membership_id>/", views.profile_save, name="wf_profile_save"),
    path(W + "schedules/", views.schedules, name="wf_schedules"),
    path(W + "schedules/new/", views.schedule_new, name="wf_schedule_new"),
    path(W + "schedules/<int:schedule_id>/", views.schedule_detail, name="wf_schedule"),
    path(W + "schedules/<int:schedule_id>/status/", views.schedule_status, name="wf_schedule_status"),
    path(W + "schedules/<int:schedule_id>/cell/", views.schedule_cell, name="wf_schedule_cell"),
    path(W + "schedules/<int:schedule_id>/swap/", views.schedule_swap, name="wf_schedule_swap"),
    path(W + "schedules/<int:schedule_id>/publish/", views.schedule_publish, name="wf_schedule_publish"),
    path(W + "schedules/<int:schedule_id>/export.xlsx", views.schedule_export, name="wf_schedule_export"),
    path(W + "my-schedule/", views.my_schedule, name="wf_my_schedule"),
    path(W + "intraday/", views.intraday, name="wf_intraday"),
    path(W + "kpis/", views.kpis, name="wf_kpis"),
    path(W + "kpis/export.xlsx", views.kpis_export, name="wf_kpis_export"),
    path(W + "report/", views.client_report, name="wf_report"),
    path(W + "qa/", views.qa, name="wf_qa"),
    path(W + "qa/criteria/", views.qa_criterion, name="wf_qa_criterion"),
    path(W + "qa/score/", views.qa_score, name="wf_qa_score"),
]
