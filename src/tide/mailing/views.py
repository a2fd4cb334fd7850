"""Public pages: sign up, confirm, the thank-you page with the download, unsubscribe (the page
and the RFC 8058 one-click POST) and the preference centre. None of them is cached, and a
GET never changes anything (link scanners follow GETs)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from tide.lib.ratelimit import client_ip, rate_limit_exceeded

from .forms import PreferencesForm, SignupForm
from .models import Consent, Contact, MailingList, Signup
from .services import (
    contact_leave_all,
    list_unsubscribe,
    preferences_update,
    signup_confirm,
    signup_request,
)
from .signup import (
    download_token,
    read_confirm_token,
    read_download_token,
    read_unsubscribe_token,
)


def _invalid_link(request: HttpRequest, *, kind: str) -> HttpResponse:
    """A friendly page for a tampered, expired or unknown link; nothing was changed."""
    return TemplateResponse(request, "mailing/invalid_link.html", {"kind": kind}, status=400)


@never_cache
@require_POST
def signup(request: HttpRequest) -> HttpResponse:
    ip = client_ip(request)
    if rate_limit_exceeded("mailing-signup-ip", ip, limit=10, seconds=3600):
        return TemplateResponse(request, "mailing/too_many.html", status=429)
    form = SignupForm(request.POST)
    if request.POST.get("website"):  # the honeypot: look like success, do nothing
        return redirect("mailing:check_inbox")
    if not form.is_valid():
        return TemplateResponse(request, "mailing/signup.html", {"form": form}, status=400)
    email = form.cleaned_data["email"]
    # Three confirmation emails an hour per address at most; the answer stays the same.
    if not rate_limit_exceeded("mailing-signup-email", email, limit=3, seconds=3600):
        try:
            signup_request(
                offer=form.cleaned_data["offer"],
                email=email,
                first_name=form.cleaned_data["first_name"],
                ip_address=ip,
            )
        except ValidationError as error:
            form.add_error("email", error)
            return TemplateResponse(request, "mailing/signup.html", {"form": form}, status=400)
    return redirect("mailing:check_inbox")


@never_cache
def check_inbox(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "mailing/check_inbox.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button (so a link scanner confirms nothing); POST confirms."""
    signup_id = read_confirm_token(token)
    signup_row = (
        Signup.objects.select_related("mailing_list").filter(pk=signup_id).first()
        if signup_id
        else None
    )
    if signup_row is None:
        return _invalid_link(request, kind="confirm")
    if request.method == "POST":
        contact = signup_confirm(signup=signup_row)
        return redirect("mailing:welcome", download_token(contact.pk, signup_row.mailing_list_id))
    return TemplateResponse(request, "mailing/confirm.html", {"signup": signup_row})


def _download_target(token: str) -> tuple[Contact, MailingList] | None:
    ids = read_download_token(token)
    if ids is None:
        return None
    contact = Contact.objects.filter(pk=ids[0]).first()
    mailing_list = MailingList.objects.select_related("ebook").filter(pk=ids[1]).first()
    if contact is None or mailing_list is None:
        return None
    return contact, mailing_list


@never_cache
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    target = _download_target(token)
    if target is None:
        return _invalid_link(request, kind="download")
    contact, mailing_list = target
    return TemplateResponse(
        request,
        "mailing/welcome.html",
        {"contact": contact, "mailing_list": mailing_list, "token": token},
    )


@never_cache
def download(request: HttpRequest, token: str) -> HttpResponse:
    target = _download_target(token)
    if target is None:
        return _invalid_link(request, kind="download")
    document = target[1].ebook
    if document is None:
        raise Http404(_("There is no download for this list."))
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _unsubscribe_target(token: str) -> tuple[Contact, MailingList, int | None] | None:
    ids = read_unsubscribe_token(token)
    if ids is None:
        return None
    contact = Contact.objects.filter(pk=ids[0]).first()
    mailing_list = MailingList.objects.filter(pk=ids[1]).first()
    if contact is None or mailing_list is None:
        return None
    return contact, mailing_list, ids[2]


@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The footer link: a page with one button (GET changes nothing), and the preference centre."""
    target = _unsubscribe_target(token)
    if target is None:
        return _invalid_link(request, kind="unsubscribe")
    contact, mailing_list, broadcast_id = target
    done = False
    if request.method == "POST":
        list_unsubscribe(
            contact=contact, mailing_list=mailing_list, broadcast_id=broadcast_id, how="page"
        )
        done = True
    return TemplateResponse(
        request,
        "mailing/unsubscribe.html",
        {"contact": contact, "mailing_list": mailing_list, "token": token, "done": done},
    )


@csrf_exempt  # RFC 8058: mailbox providers post without cookies or a form of ours
@never_cache
@require_POST
def unsubscribe_one_click(request: HttpRequest, token: str) -> HttpResponse:
    """The List-Unsubscribe URL: a POST unsubscribes at once; no page, just 200."""
    target = _unsubscribe_target(token)
    if target is None:
        return HttpResponse(
            _("This unsubscribe link is not valid."), status=400, content_type="text/plain"
        )
    contact, mailing_list, broadcast_id = target
    list_unsubscribe(
        contact=contact, mailing_list=mailing_list, broadcast_id=broadcast_id, how="one-click"
    )
    return HttpResponse(_("Unsubscribed."), content_type="text/plain")


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    target = _unsubscribe_target(token)
    if target is None:
        return _invalid_link(request, kind="unsubscribe")
    contact, _list, broadcast_id = target
    subscribed = {
        consent.mailing_list_id
        for consent in Consent.objects.filter(contact=contact, withdrawn_at__isnull=True)
        if consent.is_live()
    }
    if contact.is_suppressed:
        subscribed = set()
    choices = MailingList.objects.filter(pk__in=subscribed) | MailingList.objects.filter(
        public=True
    )
    choices = choices.distinct().order_by("name")
    saved = False
    if request.method == "POST":
        if "leave_all" in request.POST:
            contact_leave_all(contact=contact, broadcast_id=broadcast_id)
            return TemplateResponse(
                request, "mailing/left_all.html", {"contact": contact, "token": token}
            )
        form = PreferencesForm(request.POST, choices=choices)
        if form.is_valid():
            preferences_update(
                contact=contact,
                chosen={chosen.pk for chosen in form.cleaned_data["lists"]},
                ip_address=client_ip(request),
            )
            saved = True
            contact.refresh_from_db()
            subscribed = {
                consent.mailing_list_id
                for consent in Consent.objects.filter(contact=contact, withdrawn_at__isnull=True)
                if consent.is_live()
            }
    form = PreferencesForm(initial={"lists": sorted(subscribed)}, choices=choices)
    return TemplateResponse(
        request,
        "mailing/preferences.html",
        {"contact": contact, "form": form, "saved": saved, "token": token},
        status=200,
    )
