from __future__ import annotations

from django.urls import path

from . import views

app_name = "membership"
urlpatterns = [
    path("", views.portal, name="portal"),
    path("join/", views.join, name="join"),
    path("join/<slug:slug>/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
]
