"""The join page, the application form and a member's own portal."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tide.association.models import AssociationSettings
from tide.billing.models import Invoice
from tide.billing.stripe_checkout import stripe_enabled

from .forms import ApplicationForm, DetailsForm, ResubmitForm
from .models import (
    Application,
    MembershipLevel,
    MembershipPeriod,
    MembershipSettings,
    MemberStatus,
    Term,
    membership_status,
)
from .renewals import (
    RenewalInvoiceOpen,
    latest_period,
    membership_renew,
    renewal_open_from,
    renewal_open_invoice,
    renewal_quote,
)
from .services import (
    application_resubmit,
    application_submit,
    dues_lines,
    member_details_update,
)


def join(request: HttpRequest) -> HttpResponse:
    levels = MembershipLevel.objects.filter(active=True)
    rules = MembershipSettings.load()
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "membership/join.html",
        {
            "levels": levels,
            "member_until": rules.period_for(today)[1],
            "prorated": len(set(rules.units_remaining(today))) > 1,
            "anniversary": rules.term == Term.ANNIVERSARY,
        },
    )


def _blocked(request: HttpRequest) -> HttpResponse | None:
    """Where to send someone who cannot apply now: a member, or someone already applying."""
    if open_application := Application.objects.open().filter(user=request.user).first():
        messages.info(request, _("You already have an application in progress."))
        return redirect("membership:application", pk=open_application.pk)
    status = membership_status(request.user)
    if status in (MemberStatus.ACTIVE, MemberStatus.IN_GRACE):
        messages.info(request, _("You are already a member."))
        return redirect("membership:portal")
    if status == MemberStatus.SUSPENDED:
        messages.error(request, _("Your membership is suspended; contact us to reinstate it."))
        return redirect("membership:portal")
    return None


@login_required
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    level = get_object_or_404(MembershipLevel, slug=slug, active=True)
    if request.method == "POST":
        form = ApplicationForm(request.POST, level=level)
        if form.is_valid():
            try:
                application = application_submit(
                    user=request.user, level=level, data=form.cleaned_data
                )
            except ValidationError as error:
                if getattr(error, "code", "") in ("open_application", "member"):
                    # A double submit: the first one went through.
                    return _blocked(request) or redirect("membership:portal")
                held = getattr(error, "code", "") == "registration_held"
                form.add_error("registration_number" if held else None, error)
            else:
                messages.success(request, _("Application received — pay the invoice to continue."))
                if application.status == Application.Status.AWAITING_PAYMENT:
                    return redirect("billing:invoice_detail", number=application.invoice_number)
                return redirect("membership:application", pk=application.pk)
    else:
        if blocked := _blocked(request):
            return blocked
        name = request.user.get_full_name()
        form = ApplicationForm(level=level, initial={"legal_name": name})
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "membership/apply.html",
        {
            "level": level,
            "form": form,
            "lines": dues_lines(level=level, today=today),
            "period": MembershipSettings.load().period_for(today),
            "privacy_url": privacy.url
            if (privacy := AssociationSettings.load().privacy_page)
            else "",
        },
    )


def _invoice(application: Application) -> Invoice | None:
    if not application.invoice_number:
        return None
    return Invoice.objects.filter(number=application.invoice_number).first()


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    periods = list(MembershipPeriod.objects.filter(user=request.user).select_related("level"))
    current = next(
        (
            p
            for p in periods
            if p.starts_on <= today <= p.ends_on
            and not (p.ended_early_on and p.ended_early_on <= today)
        ),
        None,
    )
    application = Application.objects.filter(user=request.user).select_related("level").first()
    return TemplateResponse(
        request,
        "membership/portal.html",
        {
            "status": membership_status(request.user, today),
            "statuses": MemberStatus,
            "current": current,
            "latest": periods[0] if periods else None,
            "periods": periods,
            "application": application,
            "invoice": _invoice(application) if application else None,
            "grace_days": MembershipSettings.load().grace_days,
            "card_payments": stripe_enabled(),
            **_renewal_links(periods[0] if periods else None, today),
        },
    )


def _renewal_links(latest: MembershipPeriod | None, today) -> dict:
    """The portal's Renew button (from the renewal window to the end of grace) or the
    link to an unpaid renewal invoice."""
    if latest is None:
        return {"can_renew": False, "renewal_invoice": None}
    rules = MembershipSettings.load()
    grace_ends = latest.ends_on + timedelta(days=rules.grace_days)
    invoice = renewal_open_invoice(latest)
    return {
        "can_renew": invoice is None and renewal_open_from(latest, rules) <= today <= grace_ends,
        "renewal_invoice": invoice,
    }


@login_required
def renew(request: HttpRequest) -> HttpResponse:
    """GET shows what renewing bills (nothing changes); POST issues the renewal invoice."""
    today = timezone.localdate()
    level = None
    if slug := (request.POST.get("level") or request.GET.get("level") or "").strip():
        level = MembershipLevel.objects.filter(slug=slug[:50], active=True).first()
        if level is None:
            messages.error(request, _("Choose one of the membership levels offered."))
            return redirect("membership:renew")
    if request.method == "POST":
        try:
            invoice = membership_renew(user=request.user, today=today, level=level)
        except RenewalInvoiceOpen as pending:  # a double click: the first one went through
            messages.info(request, pending.messages[0])
            return redirect(pending.invoice.get_absolute_url())
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("membership:renew")
        messages.success(request, _("Renewal invoiced — pay it to renew your membership."))
        return redirect(invoice.get_absolute_url())
    quote = problem = pending = None
    try:
        quote = renewal_quote(user=request.user, today=today, level=level)
    except RenewalInvoiceOpen as error:
        pending = error.invoice
        problem = error
    except ValidationError as error:
        problem = error
    return TemplateResponse(
        request,
        "membership/renew.html",
        {
            "quote": quote,
            "period": quote.period if quote else latest_period(request.user),
            "problem": problem.messages[0] if problem else "",
            "problem_code": problem.code if problem else "",
            "pending": pending,
            "levels": MembershipLevel.objects.filter(active=True).order_by("sort_order", "name"),
        },
    )


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant's own application; when staff asked for information, the form to answer."""
    application = get_object_or_404(
        Application.objects.select_related("level"), pk=pk, user=request.user
    )
    form = None
    if application.status == Application.Status.INFO_REQUESTED:
        if request.method == "POST":
            form = ResubmitForm(
                request.POST, instance=Application.objects.get(pk=pk), level=application.level
            )
            if form.is_valid():
                try:
                    application_resubmit(
                        application=application, by=request.user, data=form.cleaned_data
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request, _("Thank you. Your application is back with our staff for review.")
                    )
                    return redirect("membership:application", pk=pk)
        else:
            form = ResubmitForm(instance=application, level=application.level)
    elif request.method == "POST":
        messages.info(request, _("This application cannot be changed now."))
        return redirect("membership:application", pk=pk)
    return TemplateResponse(
        request,
        "membership/application_detail.html",
        {"application": application, "invoice": _invoice(application), "form": form},
    )


@login_required
def details(request: HttpRequest) -> HttpResponse:
    """A member's own contact and practice details, kept up to date by them."""
    application = (
        Application.objects.filter(user=request.user, status=Application.Status.APPROVED)
        .order_by("-decided_at", "-id")
        .first()
    )
    if application is None:
        messages.info(request, _("Your details can be changed here once you are a member."))
        return redirect("membership:portal")
    form = DetailsForm(request.POST or None, instance=application)
    if request.method == "POST" and form.is_valid():
        try:
            member_details_update(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("membership:portal")
    return TemplateResponse(
        request,
        "membership/details.html",
        {"form": form, "application": application},
        status=400 if form.errors else 200,
    )


@login_required
def auto_renew(request: HttpRequest) -> HttpResponse:
    """Automatic renewal: save a card with Stripe, turn it on or off."""
    from tide.billing.models import SavedCard
    from tide.billing.stripe_checkout import CardPaymentError, card_setup_start

    from .auto_renew import charge_day
    from .models import AutoRenewal

    if not stripe_enabled():
        messages.info(request, _("Automatic renewal needs card payments, which are not set up."))
        return redirect("membership:portal")
    auto, _created = AutoRenewal.objects.get_or_create(user=request.user)
    card = SavedCard.objects.filter(user=request.user).first()
    latest = latest_period(request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "card":
            here = settings.SITE_URL + reverse("membership:auto_renew")
            try:
                return redirect(
                    card_setup_start(
                        user=request.user, success_url=f"{here}?saved=1", cancel_url=here
                    )
                )
            except CardPaymentError as error:
                messages.error(request, str(error))
        elif action in ("on", "off"):
            if action == "on" and not (card and card.usable):
                messages.error(request, _("Save a card first."))
            else:
                AutoRenewal.objects.filter(pk=auto.pk).update(enabled=action == "on")
                messages.success(
                    request,
                    _("Automatic renewal is on.")
                    if action == "on"
                    else _("Automatic renewal is off; we will remind you to renew instead."),
                )
        return redirect("membership:auto_renew")
    return TemplateResponse(
        request,
        "membership/auto_renew.html",
        {
            "auto": auto,
            "card": card if card and card.usable else None,
            "latest": latest,
            "charge_on": charge_day(latest) if latest else None,
            "just_saved": request.GET.get("saved") == "1",
        },
    )
