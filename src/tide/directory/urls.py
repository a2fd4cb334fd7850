from __future__ import annotations

from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("verify/", views.verify, name="verify"),
    path("verify.json", views.verify_json, name="verify_json"),
    path("my-listing/", views.edit, name="edit"),
    path("<slug:slug>/", views.profile, name="profile"),
    path("<slug:slug>/contact/", views.contact, name="contact"),
    path("<slug:slug>/go/booking/", views.go, {"kind": "booking"}, name="go_booking"),
    path("<slug:slug>/go/<str:kind>/<int:location>/", views.go, name="go"),
]
