"""URL map: public pages (board, portal, sign-in), the REST API, and the agent UI."""

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", include("cxops.api.urls")),
    path("", include("cxops.portal.urls")),
    path("", include("cxops.kits.allbaro.urls")),
    path("", include("cxops.collaboration.urls")),
    path("", include("cxops.notifications.urls")),
    path("", include("cxops.knowledge.urls")),
    path("", include("cxops.mail.urls")),
    path("", include("cxops.insights.urls")),
    path("", include("cxops.workforce.urls")),
    path("", include("cxops.assignment.urls")),
    path("", include("cxops.sla.urls")),
    path("", include("cxops.complaints.urls")),
    path("", include("cxops.web.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
