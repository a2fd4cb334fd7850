from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from tide.website import views as website_views


def serve_image(request: HttpRequest, path: str) -> HttpResponse:
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers (and the benchmark's baseline): answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


# Django's admin is a fallback for superusers; staff work in Wagtail's back office.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/settings/", include("tide.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("billing/", include("tide.billing.urls")),
    path("membership/", include("tide.membership.urls")),
    path("find-an-rmt/", include("tide.directory.urls")),
    path("education/", include("tide.education.urls")),
    path("email/", include("tide.mailing.urls")),
    path("healthz/", healthz, name="healthz"),
    path("search/", website_views.search, name="search"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", website_views.robots_txt, name="robots_txt"),
    # Public images only; documents are served through Wagtail's permission-checked view.
    re_path(r"^media/(?P<path>(?:images|original_images)/.+)$", serve_image),
    # Wagtail's catch-all page URLs come last.
    path("", include(wagtail_urls)),
]
