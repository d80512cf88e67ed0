"""Public pages: the 1:1 inquiry board, the customer's private link, sign-in and invitations.

Names are global (no namespace) because Django's auth views and settings (LOGIN_URL = "login")
refer to "login", "password_reset_done", "password_change_done" and friends by those names.
"""

from django.urls import path

from cxops.portal import auth_views, views

urlpatterns = [
    # 1:1 inquiry board of a workspace and the customer's private link
    path("p/<slug:slug>/inquiry/", views.inquiry_form, name="portal_inquiry"),
    path("p/<slug:slug>/inquiry/thanks/", views.inquiry_thanks, name="portal_inquiry_thanks"),
    path("p/<slug:slug>/inquiry/<str:token>/", views.inquiry_detail, name="portal_inquiry_detail"),
    path("p/<slug:slug>/inquiry/<str:token>/files/<int:attachment_id>/", views.inquiry_attachment,
         name="portal_inquiry_attachment"),
    path("p/<slug:slug>/logo/", views.workspace_logo, name="portal_logo"),
    # Sign-in and accounts
    path("login/", auth_views.login_view, name="login"),
    path("logout/", auth_views.logout_view, name="logout"),
    path("password-reset/", auth_views.password_reset_view, name="password_reset"),
    path("password-reset/done/", auth_views.password_reset_done_view, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.password_reset_confirm_view, name="password_reset_confirm"),
    path("reset/done/", auth_views.password_reset_complete_view, name="password_reset_complete"),
    path("account/password/", auth_views.password_change_view, name="password_change"),
    path("account/password/done/", auth_views.password_change_done_view, name="password_change_done"),
    path("invite/<str:token>/", auth_views.invitation_accept_view, name="invitation_accept"),
]
