"""What happens to applications and memberships.

Join: `application_submit` stores the application and bills it through `billing`; paying
the invoice runs `membership_fulfil`, which hands the application to staff; staff approve
(a membership period starts), reject, or ask for information (the applicant answers with
`application_resubmit`). Every step is one transaction, refuses the wrong starting status,
writes a log row naming who acted and emails the applicant after the commit.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from tide.accounts.models import User
from tide.billing.services import LineSpec, invoice_create, invoice_issue
from tide.mailing.models import Consent, MailingSettings
from tide.mailing.services import consent_imply, consent_record, contact_for_email
from tide.mailing.transactional import email_send_template

from .models import (
    Application,
    MembershipLevel,
    MembershipPeriod,
    MembershipSettings,
    MemberStatus,
    membership_status,
)

if TYPE_CHECKING:
    from tide.billing.models import InvoiceLine

DUES_KIND = "membership"
ADMIN_FEE_KIND = "membership_admin_fee"

# What an applicant fills in; the service stores these and nothing else.
APPLICATION_FIELDS = (
    "legal_name",
    "preferred_name",
    "phone",
    "province",
    "practice_address",
    "practice_city",
    "practice_postal_code",
    "registration_number",
    "college",
    "graduation_year",
    "school",
    "expected_graduation_on",
    "languages",
    "modalities",
    "privacy_accepted",
    "news_opt_in",
)
# What an applicant may change when staff ask for more information.
RESUBMIT_FIELDS = tuple(
    f for f in APPLICATION_FIELDS if f not in ("privacy_accepted", "news_opt_in")
)


def _refuse_status(application: Application, *allowed: str) -> None:
    if application.status not in allowed:
        raise ValidationError(
            _("This application is %(status)s, so that cannot be done.")
            % {"status": application.get_status_display().lower()},
            code="wrong_status",
        )


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("user", "level")
        .get(pk=application.pk)
    )


def dues_lines(*, level: MembershipLevel, today: date, reference: str = "") -> list[LineSpec]:
    """The invoice lines for joining at `level` on `today`: prorated dues and the admin fee."""
    rules = MembershipSettings.load()
    starts_on, ends_on = rules.period_for(today)
    charged, units = rules.units_remaining(today)
    description = _("Membership dues — %(level)s, %(start)s to %(end)s") % {
        "level": level.name,
        "start": date_format(starts_on, "j M Y"),
        "end": date_format(ends_on, "j M Y"),
    }
    if charged != units:
        description += " " + _("(%(charged)s of %(units)s %(unit)s)") % {
            "charged": charged,
            "units": units,
            "unit": {12: _("months"), 4: _("quarters"), 2: _("half-years")}[units],
        }
    lines = [
        LineSpec(
            kind=DUES_KIND,
            description=description,
            unit_price_cents=rules.prorated_cents(level.annual_price_cents, today),
            reference=reference,
            taxable=rules.dues_taxable,
        )
    ]
    if level.admin_fee_cents:
        lines.append(
            LineSpec(
                kind=ADMIN_FEE_KIND,
                description=_("Admin fee for new members"),
                unit_price_cents=level.admin_fee_cents,
                reference=reference,
                taxable=rules.dues_taxable,
            )
        )
    return lines


def _refuse_registration_held_by_another(user: User, data: dict[str, Any]) -> None:
    """A registration number belongs to one person: someone else's approved or open
    application in the same province (colleges are provincial) holding it refuses this one,
    without saying whose it is."""
    number = data.get("registration_number")
    if not number:
        return
    held = (
        Application.objects.filter(
            registration_number__iexact=number,
            province=data.get("province"),
            status__in=[Application.Status.APPROVED, *Application.OPEN_STATUSES],
        )
        .exclude(user=user)
        .exists()
    )
    if held:
        raise ValidationError(
            _(
                "Another member's application already has this registration number. Check "
                "it against your college's register; if it is yours, contact us and we will "
                "sort it out."
            ),
            code="registration_held",
        )


def application_submit(
    *, user: User, level: MembershipLevel, data: dict[str, Any], today: date | None = None
) -> Application:
    """Store an application and bill it: an issued invoice with the dues and any admin fee.

    Refused for someone with an application in progress (two submits at once included: the
    database holds one open application per person) or a membership in good standing.
    """
    today = today or timezone.localdate()
    if not level.active:
        raise ValidationError(_("This membership level is not open to applications."), code="level")
    if not data.get("privacy_accepted"):
        raise ValidationError(_("Accept the privacy terms to apply."), code="privacy")
    if missing := level.evidence_missing(data):
        raise ValidationError(missing, code="evidence")
    _refuse_registration_held_by_another(user, data)
    if membership_status(user, today) in (MemberStatus.ACTIVE, MemberStatus.IN_GRACE):
        raise ValidationError(_("You are already a member."), code="member")
    fields = {name: data[name] for name in APPLICATION_FIELDS if name in data}
    with transaction.atomic():
        try:
            with transaction.atomic():
                application = Application.objects.create(user=user, level=level, **fields)
        except IntegrityError:
            raise ValidationError(
                _("You already have an application in progress."), code="open_application"
            ) from None
        log(application, "tide.membership.submit", user=user, data={"level": level.name})
        invoice = invoice_create(
            customer=user,
            province=application.province,
            lines=dues_lines(level=level, today=today, reference=str(application.pk)),
            by=user,
        )
        invoice = invoice_issue(invoice=invoice, by=user)  # a $0 invoice is paid at once
        if application.news_opt_in:
            _news_consent(user, application)
        Application.objects.filter(pk=application.pk).update(
            invoice_number=invoice.number,
            billed_through=MembershipSettings.load().period_for(today)[1],
        )
        application.refresh_from_db()
    return application


def _news_consent(user: User, application: Application) -> None:
    """The join form's "Send me the association's email news" box is express consent to
    the association's main list (the home page's), kept with the form's exact wording."""
    from .forms import NEWS_OPT_IN_WORDING

    main_list = MailingSettings.load().home_list
    if main_list is None:
        return
    consent_record(
        contact=contact_for_email(
            email=user.email, first_name=user.first_name, last_name=user.last_name, user=user
        ),
        mailing_list=main_list,
        kind=Consent.Kind.EXPRESS,
        source=Consent.Source.MEMBERSHIP,
        wording=str(NEWS_OPT_IN_WORDING),
        by=user,
    )


def membership_fulfil(line: InvoiceLine) -> None:
    """Billing's callback when a dues line is paid: the application goes to staff review.

    Idempotent: a second call (or a line for an application already past payment) changes
    nothing.
    """
    application = Application.objects.select_for_update().filter(pk=int(line.reference)).first()
    if application is None or application.status != Application.Status.AWAITING_PAYMENT:
        return
    application.status = Application.Status.AWAITING_REVIEW
    application.paid_at = timezone.now()
    application.save(update_fields=["status", "paid_at", "updated_at"])
    log(application, "tide.membership.paid", user=None, data={"invoice": line.invoice.number})
    from .register import application_verify

    application_verify(application)  # found active on the college's register: approved now


def _email(application: Application, template: str, **context) -> None:
    email_send_template(
        f"membership/email/{template}",
        to=application.user.email,
        context={
            "application": application,
            "name": application.display_name,
            "portal_url": settings.SITE_URL + reverse("membership:portal"),
            **context,
        },
    )


@transaction.atomic
def application_approve(
    *, application: Application, by: User | None, today: date | None = None
) -> MembershipPeriod:
    """Approve a paid application: a membership period from today to the end of what was
    billed. `by` is None when the college's register verified it."""
    today = today or timezone.localdate()
    application = _locked(application)
    _refuse_status(application, Application.Status.AWAITING_REVIEW)
    starts_on, ends_on = MembershipSettings.load().period_for(today)
    if application.billed_through:
        # What was paid for, however late the approval: a slow review never adds a free year.
        ends_on = application.billed_through
        starts_on = min(today, ends_on)
    period = MembershipPeriod.objects.create(
        user=application.user,
        level=application.level,
        starts_on=starts_on,
        ends_on=ends_on,
        application=application,
    )
    application.status = Application.Status.APPROVED
    application.decided_by = by
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    log(application, "tide.membership.approve", user=by, data={"ends_on": ends_on.isoformat()})
    member_news_consent(application.user)
    _email(application, "application_approved", period=period)
    return period


@transaction.atomic
def application_reject(*, application: Application, by: User, reason: str) -> Application:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the applicant a reason."), code="reason")
    application = _locked(application)
    _refuse_status(
        application, Application.Status.AWAITING_REVIEW, Application.Status.INFO_REQUESTED
    )
    application.status = Application.Status.REJECTED
    application.decision_reason = reason
    application.decided_by = by
    application.decided_at = timezone.now()
    application.save(
        update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"]
    )
    log(application, "tide.membership.reject", user=by, data={"reason": reason})
    _email(application, "application_rejected", reason=reason)
    return application


@transaction.atomic
def application_request_info(*, application: Application, by: User, message: str) -> Application:
    message = (message or "").strip()
    if not message:
        raise ValidationError(_("Say what information you need."), code="message")
    application = _locked(application)
    _refuse_status(application, Application.Status.AWAITING_REVIEW)
    application.status = Application.Status.INFO_REQUESTED
    application.decision_reason = message
    application.decided_by = by
    application.decided_at = timezone.now()
    application.save(
        update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"]
    )
    log(application, "tide.membership.request_info", user=by, data={"message": message})
    _email(
        application,
        "application_info_requested",
        message=message,
        application_url=settings.SITE_URL
        + reverse("membership:application", args=[application.pk]),
    )
    return application


@transaction.atomic
def application_resubmit(
    *, application: Application, by: User, data: dict[str, Any]
) -> Application:
    """The applicant's answer to a request for information: changes go back to staff review."""
    application = _locked(application)
    if application.user_id != by.pk:
        raise ValidationError(_("Only the applicant can update an application."), code="owner")
    _refuse_status(application, Application.Status.INFO_REQUESTED)
    if missing := application.level.evidence_missing(data):
        raise ValidationError(missing, code="evidence")
    _refuse_registration_held_by_another(application.user, data)
    changed = []
    for name in RESUBMIT_FIELDS:
        if name in data and getattr(application, name) != data[name]:
            setattr(application, name, data[name])
            changed.append(name)
    application.status = Application.Status.AWAITING_REVIEW
    application.save(update_fields=[*changed, "status", "updated_at"])
    log(application, "tide.membership.resubmit", user=by, data={"changed": changed})
    return application


@transaction.atomic
def member_details_update(
    *,
    user: User,
    data: dict[str, Any],
    by: User | None = None,
    fields: tuple[str, ...] = Application.DETAILS_FIELDS,
) -> Application:
    """A change of `user`'s contact and practice details (by themselves, or `by` a
    membership officer, who may change `Application.STAFF_DETAILS_FIELDS`), on their latest
    approved application; the history records which fields changed. A new registration
    number or college is no longer the one the register verified."""
    application = (
        Application.objects.select_for_update()
        .filter(user=user, status=Application.Status.APPROVED)
        .order_by("-decided_at", "-id")
        .first()
    )
    if application is None:
        raise ValidationError(_("Only members can update their details."), code="not_member")
    changed = [name for name in fields if name in data and getattr(application, name) != data[name]]
    if {"registration_number", "province"} & set(changed):
        _refuse_registration_held_by_another(
            user,
            {
                "registration_number": data.get(
                    "registration_number", application.registration_number
                ),
                "province": data.get("province", application.province),
            },
        )
    for name in changed:
        setattr(application, name, data[name])
    if {"registration_number", "college"} & set(changed):
        application.registration_verified_on = None
        changed.append("registration_verified_on")
    if changed:
        application.full_clean(exclude=["user", "level"])
        application.save(update_fields=[*changed, "updated_at"])
        log(application, "tide.membership.details", user=by or user, data={"changed": changed})
    return application


def member_news_consent(user: User) -> None:
    """Membership implies consent (CASL) to the association's news for two years after it
    is given or renewed; mailing records it unless the person said no or is suppressed."""
    consent_imply(
        email=user.email,
        source=Consent.Source.MEMBERSHIP,
        user=user,
        first_name=user.first_name,
        last_name=user.last_name,
    )


def _standing_email(period: MembershipPeriod, template: str, **context) -> None:
    email_send_template(
        f"membership/email/{template}",
        to=period.user.email,
        context={
            "name": period.user.get_short_name(),
            "period": period,
            "portal_url": settings.SITE_URL + reverse("membership:portal"),
            **context,
        },
    )


def _current_period(user: User, today: date) -> MembershipPeriod:
    period = (
        MembershipPeriod.objects.select_for_update()
        .filter(pk__in=MembershipPeriod.objects.filter(user=user).current(today).values("pk"))
        .order_by("-ends_on")
        .first()
    )
    if period is None:
        raise ValidationError(_("This person has no active membership."), code="not_active")
    return period


@transaction.atomic
def membership_end_early(
    *, user: User, reason: str, note: str, by: User | None, today: date | None = None
) -> MembershipPeriod:
    """Suspend (staff, with a note the member is sent) or record a resignation: the current
    period ends today, benefits stop at once (directory listing, member prices), no grace."""
    from .models import EndReason

    if reason not in EndReason.values:
        raise ValidationError(_("Choose suspend or resign."), code="reason")
    note = note.strip()
    if reason == EndReason.SUSPENDED and not note:
        raise ValidationError(_("Say why the membership is suspended."), code="note")
    today = today or timezone.localdate()
    period = _current_period(user, today)
    period.ended_early_on = today
    period.end_reason = reason
    period.end_note = note
    period.save(update_fields=["ended_early_on", "end_reason", "end_note"])
    log(period.application or period, f"tide.membership.{reason}", user=by, data={"note": note})
    _standing_email(period, f"membership_{reason}", note=note)
    return period


@transaction.atomic
def membership_reinstate(*, user: User, by: User, today: date | None = None) -> MembershipPeriod:
    """Lift a suspension: the period it cut short runs to its end again."""
    from .models import EndReason

    today = today or timezone.localdate()
    period = (
        MembershipPeriod.objects.select_for_update()
        .filter(user=user, end_reason=EndReason.SUSPENDED, ends_on__gte=today)
        .order_by("-ends_on")
        .first()
    )
    if period is None:
        raise ValidationError(
            _("Only a suspended membership whose period has not ended can be reinstated."),
            code="not_suspended",
        )
    period.ended_early_on = None
    period.end_reason = ""
    period.save(update_fields=["ended_early_on", "end_reason"])
    log(period.application or period, "tide.membership.reinstate", user=by)
    _standing_email(period, "membership_reinstated")
    return period
