"""The site's URLs plus one view that fails, for the 500 page test."""

from __future__ import annotations

from django.urls import path

from tide.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("secret-detail-from-a-crash")


urlpatterns = [path("boom/", broken), *site_urlpatterns]
