"""URLs of assignment (mounted at the site root next to cxops.web.urls)."""

from django.urls import path

from cxops.assignment import views

W = "w/<slug:slug>/"

urlpatterns = [
    path(W + "settings/assignment/", views.assignment_settings, name="assignment_settings"),
    path(W + "assignment/claim/", views.claim_next, name="assignment_claim_next"),
]
