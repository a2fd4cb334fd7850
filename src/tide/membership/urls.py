from __future__ import annotations

from django.urls import path

from . import card_views, views

app_name = "membership"
urlpatterns = [
    path("", views.portal, name="portal"),
    path("join/", views.join, name="join"),
    path("renew/", views.renew, name="renew"),
    path("details/", views.details, name="details"),
    path("renew/automatic/", views.auto_renew, name="auto_renew"),
    path("join/<slug:slug>/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("card.pdf", card_views.card, name="card"),
    path("verify/<str:token>/", card_views.verify, name="verify"),
]
