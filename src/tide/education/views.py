"""Public catalogue, calendar, event pages and .ics files; a member's registrations."""

from __future__ import annotations

import calendar as pycalendar
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tide.lib.canada import PROVINCES
from tide.lib.ratelimit import rate_limit_exceeded

from .ics import build_calendar, ics_response
from .models import Event, FeedToken, Format, Registration, Session
from .services import (
    audience_for,
    province_for,
    registration_accept_offer,
    registration_cancel,
    registration_create,
)

EVENTS_PER_PAGE = 20
FEED_PAST_DAYS = 90
FEED_LIMIT = 500


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _parse_month(value: str | None) -> date | None:
    """'2026-03' → 1 March 2026; anything else → None."""
    if not value:
        return None
    try:
        parsed = datetime.strptime(value, "%Y-%m")
    except ValueError:
        return None
    if not 2000 <= parsed.year <= 2100:
        return None
    return parsed.date()


def _month_range(first: date) -> tuple[datetime, datetime]:
    zone = _zone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    days = pycalendar.monthrange(first.year, first.month)[1]
    return start, start + timedelta(days=days)


def _filtered(request: HttpRequest):
    """The published events the catalogue's filters select, and the filters as applied."""
    events = Event.objects.published().select_related("provider", "credit_category")
    filters = {
        "ce": request.GET.get("ce") == "1",
        "online": request.GET.get("online") == "1",
        "region": request.GET.get("region", ""),
        "month": request.GET.get("month", ""),
        "when": "past" if request.GET.get("when") == "past" else "upcoming",
    }
    if filters["ce"]:
        events = events.filter(ce_credits__gt=0)
    if filters["online"]:
        events = events.filter(format__in=[Format.ONLINE, Format.HYBRID, Format.SELF_PACED])
    if filters["region"] in dict(PROVINCES):
        events = events.filter(region=filters["region"])
    else:
        filters["region"] = ""
    month = _parse_month(filters["month"])
    if month:
        start, end = _month_range(month)
        events = events.filter(starts_at__lt=end, ends_at__gte=start)
    else:
        filters["month"] = ""
    now = timezone.now()
    if filters["when"] == "past":
        events = events.past(now).order_by("-starts_at", "-id")
    elif not month:
        events = events.upcoming(now).order_by("starts_at", "id")
    else:
        events = events.order_by("starts_at", "id")
    return events, filters


def catalogue(request: HttpRequest) -> HttpResponse:
    events, filters = _filtered(request)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "education/catalogue.html",
        {
            "page_obj": page,
            "filters": filters,
            "provinces": PROVINCES,
            "query": query.urlencode(),
            "months": _month_choices(filters["month"]),
        },
    )


def _month_choices(chosen: str = "") -> list[tuple[str, str]]:
    """The next twelve months, and the chosen one (a past month, a link from elsewhere)."""
    first = timezone.localdate().replace(day=1)
    months = []
    for _index in range(12):
        months.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    if (picked := _parse_month(chosen)) and picked not in months:
        months = sorted([*months, picked])
    return [(month.strftime("%Y-%m"), date_format(month, "F Y")) for month in months]


def calendar_view(request: HttpRequest) -> HttpResponse:
    month = _parse_month(request.GET.get("month")) or timezone.localdate().replace(day=1)
    start, end = _month_range(month)
    events = list(
        Event.objects.published()
        .filter(starts_at__lt=end, ends_at__gte=start)
        .only("title", "slug", "starts_at", "ends_at", "format", "ce_credits", "city")
        .order_by("starts_at", "id")[:500]
    )
    by_day: dict[date, list[Event]] = {}
    for event in events:
        day = max(timezone.localtime(event.starts_at, _zone()).date(), month)
        by_day.setdefault(day, []).append(event)
    weeks = []
    for week in pycalendar.Calendar(firstweekday=6).monthdatescalendar(month.year, month.month):
        weeks.append([(day, day.month == month.month, by_day.get(day, [])) for day in week])
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return TemplateResponse(
        request,
        "education/calendar.html",
        {
            "month": month,
            "weeks": weeks,
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m"),
            "has_events": bool(events),
            "today": timezone.localdate(),
        },
    )


def _event(slug: str) -> Event:
    return get_object_or_404(
        Event.objects.published()
        .select_related("provider", "credit_category")
        .prefetch_related("sessions"),
        slug=slug,
    )


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug)
    registration = None
    audience = None
    if request.user.is_authenticated:
        registration = Registration.objects.active().filter(event=event, user=request.user).first()
        audience = audience_for(request.user)
    return TemplateResponse(
        request,
        "education/event_detail.html",
        {
            "event": event,
            "sessions": list(event.sessions.all()),
            "registration": registration,
            "state": event.registration_state(),
            "your_price": event.price_for(audience) if audience else None,
            "audience": audience,
            "has_student_price": event.student_price_cents is not None,
        },
    )


def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug)
    return ics_response(build_calendar([event], name=event.title), filename=f"{event.slug}.ics")


def feed_ics(request: HttpRequest) -> HttpResponse:
    """Every published event from three months ago on (a bounded number)."""
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    events = (
        Event.objects.published()
        .filter(ends_at__gte=since)
        .order_by("starts_at", "id")
        .prefetch_related(Prefetch("sessions", queryset=Session.objects.order_by("starts_at")))[
            :FEED_LIMIT
        ]
    )
    from tide.association.models import AssociationSettings

    name = AssociationSettings.load(request_or_site=request).name or "Tide"
    return ics_response(
        build_calendar(events, name=_("%(name)s events") % {"name": name}),
        filename="events.ics",
    )


@login_required
@require_POST
def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug)
    if rate_limit_exceeded("education-register", str(request.user.pk), limit=30, seconds=3600):
        return HttpResponse(_("Too many attempts; try again later."), status=429)
    try:
        registration = registration_create(
            event=event,
            user=request.user,
            province=province_for(request.user, event),
            student=request.POST.get("student") == "1" and event.student_price_cents is not None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(event.get_absolute_url())
    if registration.status == Registration.Status.AWAITING_PAYMENT:
        messages.success(request, _("Your seat is held. Pay the invoice to confirm it."))
        return redirect("billing:invoice_detail", number=registration.invoice_number)
    if registration.status == Registration.Status.WAITLISTED:
        messages.info(
            request,
            _("The event is full: you are on the waitlist. We will email you if a seat frees up."),
        )
        return redirect("education:my_events")
    messages.success(request, _("You are registered. Your ticket is below."))
    return redirect("education:ticket", pk=registration.pk)


def _own_registration(request: HttpRequest, pk: int) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("event", "event__provider"), pk=pk, user=request.user
    )


@login_required
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _own_registration(request, pk)
    if registration.status != Registration.Status.CONFIRMED:
        raise Http404
    import qrcode
    import qrcode.image.svg

    qr = qrcode.make(
        registration.ticket_code, image_factory=qrcode.image.svg.SvgPathImage, box_size=10
    ).to_string(encoding="unicode")
    response = TemplateResponse(
        request,
        "education/ticket.html",
        {
            "registration": registration,
            "event": registration.event,
            "sessions": list(registration.event.sessions.all()),
            "qr_svg": qr,
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _own_registration(request, pk)
    try:
        registration_cancel(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("education:my_events")


@login_required
@require_POST
def accept_offer(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _own_registration(request, pk)
    try:
        registration_accept_offer(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("education:my_events")
    messages.success(request, _("The seat is yours. Your ticket is below."))
    return redirect("education:ticket", pk=registration.pk)


def _feed_token(user) -> FeedToken:
    token, _created = FeedToken.objects.get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return token


@login_required
def my_events(request: HttpRequest) -> HttpResponse:
    registrations = list(
        Registration.objects.filter(user=request.user)
        .exclude(status__in=[Registration.Status.EXPIRED])
        .select_related("event")
        .order_by("-event__starts_at", "-id")
    )
    now = timezone.now()
    upcoming = [r for r in registrations if r.event.ends_at and r.event.ends_at >= now]
    past = [r for r in registrations if not (r.event.ends_at and r.event.ends_at >= now)]
    upcoming.reverse()
    feed_url = request.build_absolute_uri(
        reverse("education:my_feed", args=[_feed_token(request.user).token])
    )
    return TemplateResponse(
        request,
        "education/my_events.html",
        {"upcoming": upcoming, "past": past, "calendar_feed_url": feed_url, "now": now},
    )


@login_required
@require_POST
def my_feed_reset(request: HttpRequest) -> HttpResponse:
    FeedToken.objects.filter(user=request.user).delete()
    _feed_token(request.user)
    messages.success(request, _("Your calendar address changed; the old one no longer works."))
    return redirect("education:my_events")


def my_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's own events, by the secret address only (calendar apps send no cookies)."""
    feed = FeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not secrets.compare_digest(feed.token, token):
        raise Http404
    registrations = Registration.objects.filter(
        user=feed.user, status=Registration.Status.CONFIRMED
    ).values_list("event_id", flat=True)
    events = (
        Event.objects.filter(pk__in=list(registrations))
        .order_by("starts_at")
        .prefetch_related("sessions")
    )
    events = list(events)
    return ics_response(
        build_calendar(
            events, name=_("My events"), join_urls=frozenset(event.pk for event in events)
        ),
        filename="my-events.ics",
        private=True,
    )
