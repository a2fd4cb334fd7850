from __future__ import annotations

from django.urls import path

from . import credit_views, views

app_name = "education"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("events.ics", views.feed_ics, name="feed"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("events/<slug:slug>/event.ics", views.event_ics, name="event_ics"),
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("my/", views.my_events, name="my_events"),
    path("my/feed/reset/", views.my_feed_reset, name="my_feed_reset"),
    path("my/feed/<str:token>.ics", views.my_feed, name="my_feed"),
    path("registrations/<int:pk>/ticket/", views.ticket, name="ticket"),
    path("registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("registrations/<int:pk>/accept/", views.accept_offer, name="accept"),
    path("transcript/", credit_views.transcript, name="transcript"),
    path("transcript.pdf", credit_views.transcript_pdf, name="transcript_pdf"),
    path("credits/add/", credit_views.credit_add, name="credit_add"),
    path("credits/<int:pk>/evidence/", credit_views.evidence, name="evidence"),
    path("registrations/<int:pk>/certificate.pdf", credit_views.certificate, name="certificate"),
    path("verify/<str:token>/", credit_views.verify, name="verify"),
]
