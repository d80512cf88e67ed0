"""URLs of the collaboration tools (mounted at the site root next to cxops.web.urls)."""

from django.urls import path

from cxops.collaboration import views

W = "w/<slug:slug>/collab/"
S = "s/<slug:slug>/"

urlpatterns = [
    path(W + "checklists/", views.checklists, name="collab_checklists"),
    path(W + "checklists/new/", views.checklist_new, name="collab_checklist_new"),
    path(W + "checklists/templates/new/", views.template_new, name="collab_template_new"),
    path(W + "checklists/<int:checklist_id>/", views.checklist_detail, name="collab_checklist"),
    path(W + "checklists/<int:checklist_id>/export.xlsx", views.checklist_export, name="collab_checklist_export"),
    path(W + "checklists/<int:checklist_id>/share/", views.checklist_share, name="collab_checklist_share"),
    path(W + "checklists/<int:checklist_id>/share/revoke/", views.checklist_share_revoke,
         name="collab_checklist_share_revoke"),
    path(W + "checklist-items/<int:item_id>/", views.item_update, name="collab_item_update"),
    path(W + "checklist-items/<int:item_id>/comment/", views.item_comment, name="collab_item_comment"),
    path(W + "checklist-files/<int:comment_id>/", views.comment_file, name="collab_comment_file"),
    path(W + "changes/", views.changes, name="collab_changes"),
    path(W + "changes/new/", views.change_new, name="collab_change_new"),
    path(W + "changes/upcoming/", views.changes_upcoming, name="collab_changes_upcoming"),
    path(W + "changes/<int:event_id>/", views.change_detail, name="collab_change"),
    path(W + "changes/<int:event_id>/delete/", views.change_delete, name="collab_change_delete"),
    path(W + "requests/", views.requests_list, name="collab_requests"),
    path(W + "requests/new/", views.request_new, name="collab_request_new"),
    path(W + "requests/weekly/", views.requests_weekly, name="collab_requests_weekly"),
    path(W + "requests/<int:number>/", views.request_detail, name="collab_request"),
    path(W + "requests/<int:number>/edit/", views.request_edit, name="collab_request_edit"),
    path(W + "queues/", views.queues, name="collab_queues"),
    path(W + "queues/new/", views.queue_new, name="collab_queue_new"),
    path(W + "queues/<int:queue_id>/", views.queue_detail, name="collab_queue"),
    path(W + "queues/<int:queue_id>/items/", views.queue_import, name="collab_queue_import"),
    path(W + "queues/<int:queue_id>/check/", views.queue_check, name="collab_queue_check"),
    path(W + "queue-items/<int:item_id>/done/", views.queue_item_done, name="collab_queue_item_done"),
    path(S + "checklist/<str:token>/", views.shared_checklist, name="collab_shared_checklist"),
    path(S + "checklist/<str:token>/files/<int:comment_id>/", views.shared_comment_file,
         name="collab_shared_comment_file"),
    path(S + "changes/<str:token>/", views.change_submit, name="collab_change_submit"),
]
