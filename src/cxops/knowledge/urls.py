"""URLs of the knowledge base: the public help center (/p/<slug>/help/…), the board form's
suggestions, and the agent pages (/w/<slug>/kb/…)."""

from django.urls import path

from cxops.knowledge import helpcenter, views

P = "p/<slug:slug>/"
W = "w/<slug:slug>/kb/"

urlpatterns = [
    path(P + "help/", helpcenter.help_home, name="kb_help_home"),
    path(P + "help/search/", helpcenter.help_search, name="kb_help_search"),
    path(P + "help/c/<int:category_id>/", helpcenter.help_category, name="kb_help_category"),
    path(P + "help/a/<int:article_id>/", helpcenter.help_article, name="kb_help_article"),
    path(P + "help/a/<int:article_id>/vote/", helpcenter.help_vote, name="kb_help_vote"),
    path(P + "help/a/<int:article_id>/steps/<int:step_id>/image/", helpcenter.help_step_image,
         name="kb_help_step_image"),
    path(P + "help/a/<int:article_id>/files/<int:attachment_id>/", helpcenter.help_attachment,
         name="kb_help_attachment"),
    path(P + "inquiry-suggestions/", helpcenter.board_suggest, name="kb_board_suggest"),
    path(W, views.articles, name="kb_articles"),
    path(W + "new/", views.article_new, name="kb_article_new"),
    path(W + "categories/new/", views.category_new, name="kb_category_new"),
    path(W + "review-settings/", views.review_settings, name="kb_review_settings"),
    path(W + "dashboard/", views.dashboard, name="kb_dashboard"),
    path(W + "recurring/", views.recurring, name="kb_recurring"),
    path(W + "<int:article_id>/", views.article_detail, name="kb_article"),
    path(W + "<int:article_id>/publish/", views.article_publish, name="kb_article_publish"),
    path(W + "<int:article_id>/verify/", views.article_verify, name="kb_article_verify"),
    path(W + "<int:article_id>/delete/", views.article_delete, name="kb_article_delete"),
    path(W + "<int:article_id>/history/", views.article_history, name="kb_article_history"),
    path(W + "<int:article_id>/used/", views.suggestion_used, name="kb_suggestion_used"),
    path(W + "<int:article_id>/steps/<int:step_id>/image/", views.step_image, name="kb_step_image"),
    path(W + "<int:article_id>/files/<int:attachment_id>/", views.attachment_download, name="kb_attachment"),
    path(W + "<int:article_id>/files/<int:attachment_id>/delete/", views.attachment_delete,
         name="kb_attachment_delete"),
    path("w/<slug:slug>/tickets/<int:number>/kb-panel/", views.ticket_panel, name="kb_ticket_panel"),
]
