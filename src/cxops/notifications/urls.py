"""URLs of the notification center (mounted at the site root next to cxops.web.urls)."""

from django.urls import path

from cxops.notifications import views

W = "w/<slug:slug>/notifications/"

urlpatterns = [
    path(W, views.notification_list, name="notifications"),
    path(W + "bell/", views.bell, name="notifications_bell"),
    path(W + "read-all/", views.notifications_read_all, name="notifications_read_all"),
    path(W + "preference/", views.notification_preference, name="notifications_preference"),
    path(W + "<int:notification_id>/", views.notification_open, name="notification_open"),
]
