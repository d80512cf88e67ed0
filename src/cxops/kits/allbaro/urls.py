"""URLs of the Allbaro kit (mounted at the site root next to cxops.web.urls)."""

from django.urls import path

from cxops.kits.allbaro import views

W = "w/<slug:slug>/allbaro/"

urlpatterns = [
    path(W, views.campaign, name="allbaro_campaign"),
    path(W + "settings/", views.settings_save, name="allbaro_settings"),
    path(W + "tickets/<int:number>/", views.ticket_check, name="allbaro_ticket_check"),
    path(W + "runs/<int:run_id>/", views.run_detail, name="allbaro_run"),
    path(W + "runs/<int:run_id>/reply/", views.run_reply, name="allbaro_run_reply"),
    path(W + "runs/<int:run_id>/export.xlsx", views.run_export, name="allbaro_run_export"),
]
