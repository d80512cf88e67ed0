"""URLs of the SLA pages (mounted at the site root)."""

from django.urls import path

from cxops.sla import views

W = "w/<slug:slug>/"

urlpatterns = [
    path(W + "tickets/<int:number>/sla/", views.ticket_panel, name="sla_ticket_panel"),
    path(W + "settings/sla/", views.settings_home, name="settings_sla"),
    path(W + "settings/sla/defaults/", views.settings_defaults, name="settings_sla_defaults"),
    path(W + "settings/sla/calendars/new/", views.settings_calendar, name="settings_sla_calendar_new"),
    path(W + "settings/sla/calendars/<int:calendar_id>/", views.settings_calendar, name="settings_sla_calendar"),
    path(W + "settings/sla/policies/new/", views.settings_policy, name="settings_sla_policy_new"),
    path(W + "settings/sla/policies/<int:policy_id>/", views.settings_policy, name="settings_sla_policy"),
]
