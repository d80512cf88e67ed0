"""URLs of the email channel's admin pages (mounted at the site root)."""

from django.urls import path

from cxops.mail import views

W = "w/<slug:slug>/"

urlpatterns = [
    path(W + "settings/mailboxes/", views.mailboxes, name="mail_mailboxes"),
    path(W + "settings/mailboxes/<int:mailbox_id>/", views.mailbox_detail, name="mail_mailbox"),
    path(W + "settings/mailboxes/<int:mailbox_id>/test/", views.mailbox_test, name="mail_mailbox_test"),
    path(W + "settings/mailboxes/<int:mailbox_id>/poll/", views.mailbox_poll, name="mail_mailbox_poll"),
    path(W + "settings/mailboxes/<int:mailbox_id>/delete/", views.mailbox_delete, name="mail_mailbox_delete"),
    path(W + "settings/mail-quarantine/", views.quarantine, name="mail_quarantine"),
    path(W + "settings/mail-quarantine/<int:item_id>/raw/", views.quarantine_raw, name="mail_quarantine_raw"),
    path(W + "settings/mail-quarantine/<int:item_id>/reprocess/", views.quarantine_reprocess,
         name="mail_quarantine_reprocess"),
    path(W + "settings/mail-quarantine/<int:item_id>/discard/", views.quarantine_discard,
         name="mail_quarantine_discard"),
    path(W + "mail/messages/<int:message_id>/raw/", views.message_raw, name="mail_message_raw"),
]
