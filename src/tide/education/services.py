"""What happens to events and seats: registering, paying, waitlist offers, cancelling,
check-in and the credits attendance earns.

Every function that changes seats locks the event's row first (`_lock_event`), so the seat
count and the registrations agree under any concurrency. A function that may also touch an
invoice takes the invoice's lock before the event's, the order billing's payment path uses,
so the two never deadlock. One transaction per function, a log row naming who acted, emails
after the commit.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from tide.accounts.models import User
from tide.billing.models import Invoice
from tide.billing.services import (
    LineSpec,
    invoice_create,
    invoice_issue,
    invoice_void,
    refund_issue,
)
from tide.lib.pagecache import page_cache_clear
from tide.mailing.transactional import email_send_template

from .ics import build_calendar
from .models import Audience, CreditEntry, Event, Registration

if TYPE_CHECKING:
    from tide.billing.models import InvoiceLine

SEAT_KIND = "education_seat"
# How long an unpaid seat, or a seat offered from the waitlist, is kept for someone.
SEAT_HOLD = timedelta(hours=48)
OFFER_HOLD = timedelta(hours=48)

Status = Registration.Status


def event_sync_dates(event: Event) -> Event:
    """Copy the first session's start and the last session's end onto the event."""
    sessions = list(event.sessions.all().order_by("starts_at"))
    starts = sessions[0].starts_at if sessions else None
    ends = max((s.ends_at for s in sessions), default=None)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=ends)
    event.starts_at, event.ends_at = starts, ends
    return event


def event_create(
    *, sessions: list[tuple], by: User | None = None, allow_past: bool = False, **fields
) -> Event:
    """An event with its sessions ((starts_at, ends_at) or (starts_at, ends_at, title)),
    checked like the back office checks it: sessions end after they start, registration
    closes after it opens, in-person events have a venue."""
    from .models import Session

    if not sessions:
        raise ValidationError(_("An event needs at least one session."), code="sessions")
    with transaction.atomic():
        event = Event(**fields)
        event.full_clean(exclude=["slug"])
        event.save()
        now = timezone.now()
        for spec in sessions:
            starts_at, ends_at = spec[0], spec[1]
            if ends_at <= starts_at:
                raise ValidationError(_("A session must end after it starts."), code="end")
            if starts_at < now and not allow_past:
                raise ValidationError(_("A new session cannot start in the past."), code="past")
            Session.objects.create(
                event=event, starts_at=starts_at, ends_at=ends_at, title=(spec[2:] or [""])[0]
            )
        event_sync_dates(event)
        log(event, "tide.education.event_create", user=by)
    return event


def _lock_event(event_id: int) -> Event:
    return Event.objects.select_for_update().get(pk=event_id)


def _has_room(event: Event) -> bool:
    return event.capacity is None or event.seats_taken < event.capacity


def _take_seat(event: Event) -> None:
    event.seats_taken += 1
    Event.objects.filter(pk=event.pk).update(seats_taken=event.seats_taken)
    transaction.on_commit(page_cache_clear)  # visitors' cached pages show the seats left


def _free_seat(event: Event) -> None:
    event.seats_taken = max(event.seats_taken - 1, 0)
    Event.objects.filter(pk=event.pk).update(seats_taken=event.seats_taken)
    transaction.on_commit(page_cache_clear)


def audience_for(user: User, *, student: bool = False) -> str:
    """Member price for a member in good standing whose level includes it; else student
    (self-declared, checked at the door) or non-member."""
    from tide.membership.models import MembershipPeriod, MemberStatus, membership_status

    if membership_status(user) in (MemberStatus.ACTIVE, MemberStatus.IN_GRACE):
        period = (
            MembershipPeriod.objects.filter(user=user)
            .select_related("level")
            .order_by("-ends_on")
            .first()
        )
        if period and period.level.includes_member_prices:
            return Audience.MEMBER
    return Audience.STUDENT if student else Audience.NON_MEMBER


def _hold_until(event: Event, length: timedelta) -> timezone.datetime:
    until = timezone.now() + length
    if event.starts_at:
        until = min(until, event.starts_at)
    return until


def _bill(registration: Registration, *, province: str, by: User | None) -> Invoice:
    event = registration.event
    when = date_format(timezone.localtime(event.starts_at), "j M Y") if event.starts_at else ""
    invoice = invoice_create(
        customer=registration.user,
        province=province,
        lines=[
            LineSpec(
                kind=SEAT_KIND,
                description=_("Seat: %(title)s, %(when)s (%(audience)s)")
                % {
                    "title": event.title[:120],
                    "when": when,
                    "audience": registration.get_audience_display().lower(),
                },
                unit_price_cents=registration.price_cents,
                reference=str(registration.pk),
            )
        ],
        by=by,
    )
    invoice = invoice_issue(invoice=invoice, by=by)
    registration.invoice_number = invoice.number
    registration.save(update_fields=["invoice_number", "hold_until"])
    return invoice


def registration_create(
    *,
    event: Event,
    user: User,
    province: str,
    student: bool = False,
    now=None,
) -> Registration:
    """Register `user`: a seat (confirmed when free, held while an invoice awaits payment)
    or, when the event is full, a place on the waitlist.

    Refused: an unpublished event, outside the registration window, someone already
    registered or waitlisted.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(event.pk)
        if not event.published:
            raise ValidationError(_("This event is not open for registration."), code="unpublished")
        state = event.registration_state(now)
        if state == "not_yet":
            raise ValidationError(
                _("Registration opens on %(date)s.")
                % {
                    "date": date_format(
                        timezone.localtime(event.registration_opens_at), "j F Y, H:i"
                    )
                },
                code="not_open",
            )
        if state == "closed":
            raise ValidationError(_("Registration for this event has closed."), code="closed")
        if Registration.objects.active().filter(event=event, user=user).exists():
            raise ValidationError(_("You are already registered for this event."), code="twice")
        audience = audience_for(user, student=student)
        price = event.price_for(audience)
        if _has_room(event):
            status = Status.CONFIRMED if price == 0 else Status.AWAITING_PAYMENT
            _take_seat(event)
        else:
            status = Status.WAITLISTED
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=event, user=user, status=status, audience=audience, price_cents=price
                )
        except IntegrityError:
            raise ValidationError(
                _("You are already registered for this event."), code="twice"
            ) from None
        registration.event = event
        log(registration, "tide.education.register", user=user, data={"status": status})
        if status == Status.AWAITING_PAYMENT:
            registration.hold_until = _hold_until(event, SEAT_HOLD)
            _bill(registration, province=province, by=user)
        elif status == Status.CONFIRMED:
            _email_confirmed(registration)
        else:
            _email(registration, "waitlisted")
    return registration


def registration_fulfil(line: InvoiceLine) -> None:
    """Billing's callback when a seat is paid (inside the payment's transaction).

    The seat held for it is confirmed. If the hold ran out and the seat went to someone
    else, the payment is refunded and the payer goes back on the waitlist: never two people
    in one seat.
    """
    registration = Registration.objects.filter(pk=int(line.reference)).first()
    if registration is None:
        return
    event = _lock_event(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    registration.event = event
    if registration.status == Status.CONFIRMED:
        return
    now = timezone.now()
    registration.paid_at = now
    if registration.status in (Status.AWAITING_PAYMENT, Status.OFFERED):
        registration.status = Status.CONFIRMED
        registration.hold_until = None
        registration.save(update_fields=["status", "paid_at", "hold_until"])
        log(registration, "tide.education.paid", user=None, data={"invoice": line.invoice.number})
        _email_confirmed(registration)
        return
    # The seat was released (hold expired or cancelled) before the money arrived.
    if _has_room(event) and not _other_active(registration):
        _take_seat(event)
        registration.status = Status.CONFIRMED
        registration.hold_until = None
        registration.save(update_fields=["status", "paid_at", "hold_until"])
        log(registration, "tide.education.paid", user=None, data={"invoice": line.invoice.number})
        _email_confirmed(registration)
        return
    registration.save(update_fields=["paid_at"])
    refund_issue(
        invoice=line.invoice,
        amount_cents=line.invoice.total_cents,
        reason=_("The seat was no longer held when the payment arrived."),
    )
    if not _other_active(registration):
        registration.status = Status.WAITLISTED
        registration.created_at = now  # joins the end of the queue
        registration.invoice_number = ""
        registration.save(update_fields=["status", "created_at", "invoice_number"])
    log(registration, "tide.education.seat_gone", user=None, data={"invoice": line.invoice.number})
    _email(registration, "seat_gone")


def _other_active(registration: Registration) -> bool:
    return (
        Registration.objects.active()
        .filter(event_id=registration.event_id, user_id=registration.user_id)
        .exclude(pk=registration.pk)
        .exists()
    )


def _offer_next(event: Event, *, province: str | None = None) -> Registration | None:
    """Give a freed seat to the first person waiting (the event is locked by the caller)."""
    if not _has_room(event) or event.registration_state() == "closed":
        return None
    nxt = (
        Registration.objects.select_for_update()
        .filter(event=event, status=Status.WAITLISTED)
        .select_related("user")
        .order_by("created_at", "id")
        .first()
    )
    if nxt is None:
        return None
    _take_seat(event)
    nxt.event = event
    nxt.status = Status.OFFERED
    nxt.hold_until = _hold_until(event, OFFER_HOLD)
    nxt.save(update_fields=["status", "hold_until"])
    log(nxt, "tide.education.offer", user=None)
    if nxt.price_cents:
        _bill(nxt, province=province or _province_of(nxt.user, event), by=None)
    _email(nxt, "seat_offered", invoice_number=nxt.invoice_number)
    return nxt


def _province_of(user: User, event: Event) -> str:
    from tide.association.models import AssociationSettings
    from tide.membership.models import Application

    application = Application.objects.filter(user=user).order_by("-created_at").first()
    if application and application.province:
        return application.province
    return event.region or AssociationSettings.load().province or "ON"


province_for = _province_of


@transaction.atomic
def registration_accept_offer(*, registration: Registration, by: User) -> Registration:
    """Take a free seat offered from the waitlist (a paid one is taken by paying)."""
    event = _lock_event(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    registration.event = event
    if registration.user_id != by.pk:
        raise ValidationError(_("Only the registrant can accept this seat."), code="owner")
    if registration.status != Status.OFFERED:
        raise ValidationError(_("There is no seat on offer for you now."), code="no_offer")
    if registration.price_cents:
        raise ValidationError(_("Pay the invoice to take this seat."), code="pay")
    registration.status = Status.CONFIRMED
    registration.hold_until = None
    registration.save(update_fields=["status", "hold_until"])
    log(registration, "tide.education.accept", user=by)
    _email_confirmed(registration)
    return registration


def registration_cancel(
    *, registration: Registration, by: User, reason: str = "", now=None
) -> Registration:
    """Cancel a registration (the registrant or staff). A paid seat cancelled within the
    event's refund window is refunded in full; the seat goes to the next person waiting."""
    now = now or timezone.now()
    with transaction.atomic():
        invoice = None
        if registration.invoice_number:
            invoice = Invoice.objects.select_for_update().get(number=registration.invoice_number)
        event = _lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        registration.event = event
        is_staff = by.pk != registration.user_id
        if registration.status not in Registration.ACTIVE_STATUSES:
            raise ValidationError(_("This registration is already closed."), code="closed")
        if event.starts_at and now >= event.starts_at:
            raise ValidationError(_("The event has started; it can no longer be cancelled."))
        refunded = 0
        if invoice is not None:
            if invoice.status == Invoice.Status.OPEN and not invoice.payments.exists():
                invoice_void(invoice=invoice, by=by, reason=_("Registration cancelled"))
            elif invoice.status == Invoice.Status.PAID and registration.paid_at:
                in_window = event.starts_at is None or now <= event.starts_at - timedelta(
                    days=event.refund_until_days
                )
                if in_window or is_staff:
                    refunded = invoice.total_cents - invoice.credited_cents()
                    if refunded > 0:
                        refund_issue(
                            invoice=invoice,
                            amount_cents=refunded,
                            reason=reason or _("Registration cancelled"),
                            by=by,
                        )
        held = registration.holds_seat
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.hold_until = None
        registration.save(update_fields=["status", "cancelled_at", "hold_until"])
        log(
            registration,
            "tide.education.cancel",
            user=by,
            data={"reason": reason, "refunded_cents": refunded},
        )
        _email(registration, "cancelled", refunded=refunded)
        if held:
            _free_seat(event)
            _offer_next(event)
    return registration


def registrations_expire(*, now=None) -> int:
    """Release seats whose payment or offer answer did not come in time, and pass them on.
    Idempotent and safe on several machines at once."""
    now = now or timezone.now()
    expired = 0
    due = Registration.objects.filter(
        status__in=[Status.AWAITING_PAYMENT, Status.OFFERED], hold_until__lt=now
    ).values_list("pk", "invoice_number")
    for pk, number in list(due):
        try:
            with transaction.atomic():
                if number:
                    invoice = Invoice.objects.select_for_update().get(number=number)
                    if invoice.status != Invoice.Status.OPEN or invoice.payments.exists():
                        continue  # being paid: the payment decides
                registration = Registration.objects.get(pk=pk)
                event = _lock_event(registration.event_id)
                registration = Registration.objects.select_for_update().get(pk=pk)
                if registration.status not in (Status.AWAITING_PAYMENT, Status.OFFERED):
                    continue
                if number:
                    invoice_void(invoice=invoice, by=None, reason=_("Seat hold expired"))
                registration.event = event
                registration.status = Status.EXPIRED
                registration.hold_until = None
                registration.save(update_fields=["status", "hold_until"])
                log(registration, "tide.education.expire", user=None)
                _email(registration, "hold_expired")
                _free_seat(event)
                _offer_next(event)
                expired += 1
        except ValidationError:
            continue
    return expired


def reminders_send(*, now=None) -> int:
    """Reminders a week and a day before an event to everyone confirmed, once each."""
    now = now or timezone.now()
    sent = 0
    for field, ahead, template in (
        ("reminded_week_at", timedelta(days=7), "reminder_week"),
        ("reminded_day_at", timedelta(days=1), "reminder_day"),
    ):
        due = Registration.objects.filter(
            status=Status.CONFIRMED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + ahead,
            **{f"{field}__isnull": True},
        ).values_list("pk", flat=True)
        for pk in list(due):
            with transaction.atomic():
                # Claim the reminder first: a second machine's update finds nothing to claim.
                if not Registration.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(
                    **{field: now}
                ):
                    continue
                if field == "reminded_day_at":
                    # A registration made the day before gets one reminder, not two.
                    Registration.objects.filter(pk=pk, reminded_week_at__isnull=True).update(
                        reminded_week_at=now
                    )
                registration = Registration.objects.select_related("event", "user").get(pk=pk)
                _email_confirmed(registration, template=template)
                sent += 1
    return sent


@transaction.atomic
def registration_check_in(*, registration: Registration, by: User, now=None) -> Registration:
    """Mark a confirmed registrant as attended and award the event's CE credits (once)."""
    now = now or timezone.now()
    registration = (
        Registration.objects.select_for_update()
        .select_related("event", "user")
        .get(pk=registration.pk)
    )
    if registration.status != Status.CONFIRMED:
        raise ValidationError(
            _("Only a confirmed registration can be checked in (this one is %(status)s).")
            % {"status": registration.get_status_display().lower()},
            code="not_confirmed",
        )
    if registration.attended_at:
        return registration
    event = registration.event
    if event.starts_at and now < event.starts_at - timedelta(hours=12):
        raise ValidationError(_("Check-in opens on the day of the event."), code="too_early")
    registration.attended_at = now
    registration.checked_in_by = by
    registration.save(update_fields=["attended_at", "checked_in_by"])
    if event.credit_category_id and (event.ce_credits or event.ce_hours):
        CreditEntry.objects.get_or_create(
            registration=registration,
            defaults={
                "user": registration.user,
                "category_id": event.credit_category_id,
                "title": event.title,
                "provider_name": event.provider.name,
                "completed_on": timezone.localdate(event.ends_at or now),
                "hours": event.ce_hours,
                "credits": event.ce_credits,
                "status": CreditEntry.Status.APPROVED,
                "reviewed_at": now,
            },
        )
    log(registration, "tide.education.check_in", user=by)
    return registration


@transaction.atomic
def registration_check_in_undo(*, registration: Registration, by: User) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not registration.attended_at:
        return registration
    registration.attended_at = None
    registration.checked_in_by = None
    registration.save(update_fields=["attended_at", "checked_in_by"])
    CreditEntry.objects.filter(registration=registration).delete()
    log(registration, "tide.education.check_in_undo", user=by)
    return registration


# --- emails -----------------------------------------------------------------------------


def _context(registration: Registration, **extra) -> dict:
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "name": registration.user.get_full_name() or registration.user.email,
        "event_url": settings.SITE_URL + event.get_absolute_url(),
        "ticket_url": settings.SITE_URL + reverse("education:ticket", args=[registration.pk]),
        "my_events_url": settings.SITE_URL + reverse("education:my_events"),
        "starts": timezone.localtime(event.starts_at) if event.starts_at else None,
        **extra,
    }


def _email(registration: Registration, template: str, **extra) -> None:
    email_send_template(
        f"education/email/{template}",
        to=registration.user.email,
        context=_context(registration, **extra),
    )


def _email_confirmed(registration: Registration, *, template: str = "confirmed") -> None:
    event = registration.event
    ics = build_calendar([event], name=event.title, join_urls=frozenset({event.pk})).decode()
    email_send_template(
        f"education/email/{template}",
        to=registration.user.email,
        context=_context(registration),
        attachments=[(f"{event.slug}.ics", ics, "text/calendar")],
    )


def credits_display(value: Decimal) -> str:
    return f"{value.normalize():f}"
