"""The member's card (PDF) and the public page its QR code opens."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from tide.association.models import AssociationSettings

from .cards import card_pdf, period_from_token, standing_for, verification_token
from .models import MembershipPeriod


@login_required
def card(request: HttpRequest) -> HttpResponse:
    """The card of a member in good standing today; anyone else has none (404)."""
    period = (
        MembershipPeriod.objects.current(timezone.localdate())
        .filter(user=request.user)
        .select_related("level", "application", "user")
        .order_by("-ends_on")
        .first()
    )
    if period is None:
        raise Http404
    verify_url = request.build_absolute_uri(
        reverse("membership:verify", args=[verification_token(period)])
    )
    from tide.billing.receipts import letterhead_for  # PDF code: loaded on first use
    from tide.lib.pdf import pdf_response

    association = AssociationSettings.load(request_or_site=request)
    content = card_pdf(period=period, letterhead=letterhead_for(association), verify_url=verify_url)
    return pdf_response(content, filename="membership-card.pdf")


def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the name, level and standing today of the member a card belongs to."""
    association = AssociationSettings.load(request_or_site=request)
    period = period_from_token(token)
    if period is None:
        response = TemplateResponse(
            request, "membership/verify_invalid.html", {"association": association}, status=404
        )
    else:
        today = timezone.localdate()
        response = TemplateResponse(
            request,
            "membership/verify.html",
            {"standing": standing_for(period, today), "today": today, "association": association},
        )
    # The answer changes when a membership ends: never served from a cache, never indexed.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
