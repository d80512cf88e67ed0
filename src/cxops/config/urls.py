from django.urls import include, path

urlpatterns = [
    path("", include("cxops.web.urls")),
]
