from __future__ import annotations

from django.urls import include, path

from . import views, webhooks

app_name = "mailing"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("welcome/<str:token>/", views.welcome, name="welcome"),
    path("download/<str:token>/", views.download, name="download"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "unsubscribe/<str:token>/one-click/",
        views.unsubscribe_one_click,
        name="unsubscribe_one_click",
    ),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    # django-anymail's tracking webhooks for every provider: /email/webhooks/<esp>/tracking/
    path("webhooks/", include(webhooks.urlpatterns())),
]
