"""The agent UI. Every workspace page lives under /w/<slug>/ and is wrapped by `workspace_view`."""

from django.urls import path

from cxops.core import views as core_views
from cxops.tickets import views as ticket_views
from cxops.web import views

W = "w/<slug:slug>/"

urlpatterns = [
    path("", views.home, name="home"),
    # Django's set_language view, wrapped to remember the choice on the signed-in user's account.
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("account/tokens/", core_views.account_tokens, name="account_tokens"),
    path("account/tokens/<int:token_id>/revoke/", core_views.account_token_revoke, name="account_token_revoke"),
    path(W, views.workspace_home, name="workspace_home"),
    path(W + "availability/", views.availability_set, name="availability_set"),
    path(W + "nav/", views.sidebar_views, name="sidebar_views"),
    # inbox and tickets
    path(W + "inbox/", ticket_views.inbox, name="inbox"),
    path(W + "inbox/bulk/", ticket_views.inbox_bulk, name="inbox_bulk"),
    path(W + "inbox/views/save/", ticket_views.saved_view_create, name="saved_view_create"),
    path(W + "inbox/views/<int:view_id>/delete/", ticket_views.saved_view_remove, name="saved_view_delete"),
    path(W + "search/", ticket_views.search_suggest, name="search_suggest"),
    path(W + "tickets/<int:number>/", ticket_views.ticket_detail, name="ticket_detail"),
    path(W + "tickets/<int:number>/subject/", ticket_views.ticket_subject, name="ticket_subject"),
    path(W + "tickets/<int:number>/compose/", ticket_views.ticket_compose, name="ticket_compose"),
    path(W + "tickets/<int:number>/update/", ticket_views.ticket_properties, name="ticket_update"),
    path(W + "tickets/<int:number>/presence/", ticket_views.ticket_presence, name="ticket_presence"),
    path(W + "tickets/<int:number>/history/", ticket_views.ticket_history, name="ticket_history"),
    path(W + "tickets/<int:number>/macros/<int:macro_id>/apply/", ticket_views.macro_apply, name="macro_apply"),
    path(W + "attachments/<int:attachment_id>/", ticket_views.attachment_download, name="attachment_download"),
    # phone calls
    path(W + "calls/", ticket_views.calls, name="calls"),
    path(W + "calls/new/", ticket_views.call_new, name="call_new"),
    path(W + "calls/lookup/", ticket_views.call_lookup, name="call_lookup"),
    # customers
    path(W + "customers/", ticket_views.customers, name="customers"),
    path(W + "customers/<int:customer_id>/", ticket_views.customer_detail, name="customer_detail"),
    path(W + "customers/<int:customer_id>/edit/", ticket_views.customer_edit, name="customer_edit"),
    path(W + "customers/<int:customer_id>/notes/", ticket_views.customer_notes, name="customer_notes"),
    path(W + "customers/<int:customer_id>/merge/", ticket_views.customer_merge_into, name="customer_merge"),
    path(W + "customers/<int:customer_id>/merge/candidates/", ticket_views.customer_merge_candidates,
         name="customer_merge_candidates"),
    # macros
    path(W + "macros/", ticket_views.macros, name="macros"),
    path(W + "macros/new/", ticket_views.macro_new, name="macro_new"),
    path(W + "macros/<int:macro_id>/edit/", ticket_views.macro_edit, name="macro_edit"),
    path(W + "macros/<int:macro_id>/delete/", ticket_views.macro_remove, name="macro_delete"),
    # workspace settings
    path(W + "settings/", core_views.settings_profile, name="settings_profile"),
    path(W + "settings/members/", core_views.settings_members, name="settings_members"),
    path(W + "settings/members/invite/", core_views.settings_invite, name="settings_invite"),
    path(W + "settings/members/<int:membership_id>/role/", core_views.settings_member_role,
         name="settings_member_role"),
    path(W + "settings/members/<int:membership_id>/deactivate/", core_views.settings_member_deactivate,
         name="settings_member_deactivate"),
    path(W + "settings/teams/", core_views.settings_teams, name="settings_teams"),
    path(W + "settings/webhooks/", ticket_views.settings_webhooks, name="settings_webhooks"),
    path(W + "settings/webhooks/<int:webhook_id>/", ticket_views.settings_webhook_detail,
         name="settings_webhook_detail"),
    path(W + "settings/webhooks/<int:webhook_id>/delete/", ticket_views.settings_webhook_delete,
         name="settings_webhook_delete"),
    path(W + "settings/audit/", core_views.settings_audit, name="settings_audit"),
    path(W + "settings/privacy-log/", core_views.settings_pii_log, name="settings_pii_log"),
]
