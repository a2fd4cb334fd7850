"""Find an RMT: the public search, profiles, the contact relay, the registration lookup and
the member's listing editor.

Search and profile pages are personal to the query and counted, so they are kept out of the
whole-page cache (Cache-Control: private) and always show who is in good standing today.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tide.lib.ratelimit import client_ip, rate_limit_exceeded

from .forms import (
    DEFAULT_RADIUS,
    ContactForm,
    ListingForm,
    LocationFormSet,
    SearchForm,
    VerifyForm,
    typed_listing,
)
from .geo import PlaceAmbiguous, PlaceNotFound, locate
from .models import Listing, Location, MonthlyReferrals
from .search import Card, search_by_name, search_near
from .search_index import search_index
from .services import (
    LOCATION_FIELDS,
    contact_send,
    listing_eligible,
    listing_for,
    listing_save,
    referral_count,
    verify_registration,
)

# Contact relay limits: per visitor address and per therapist, per hour.
CONTACT_LIMIT_PER_IP = 5
CONTACT_LIMIT_PER_LISTING = 20
CONTACT_WINDOW = 3600
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
FILTER_NAMES = ("modality", "language", "gender", "billing", "wheelchair", "evenings")
FILTER_NAMES += ("weekends", "mobile", "accepting", "name")


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, max_age=0)
    return response


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10**6))
    except ValueError:
        return 1


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    index = search_index()  # also holds the modality and insurer lists: no query for them
    data = None
    if request.GET:
        data = request.GET.copy()
        data.setdefault("radius", str(DEFAULT_RADIUS))
    form = SearchForm(data, modalities=index.modalities, insurers=index.insurers)
    context = {
        "form": form,
        "results": None,
        "place": None,
        "choices": [],
        "problem": "",
        "filtered": any(request.GET.get(name) for name in FILTER_NAMES),
    }
    status = 200
    if form.is_bound and form.is_valid():
        criteria = form.cleaned_data
        page = _page_number(request.GET.get("page"))
        if criteria["near"]:
            try:
                place = locate(criteria["near"])
            except PlaceAmbiguous as ambiguous:
                context["choices"] = [
                    (choice, _query_with(request, near=choice.label))
                    for choice in ambiguous.choices
                ]
                context["problem"] = str(ambiguous)
            except PlaceNotFound as error:
                context["problem"] = str(error)
                status = 400
            else:
                context["place"] = place
                context["results"] = search_near(
                    place, criteria["radius"], criteria, page, index=index
                )
        elif criteria["name"]:
            context["results"] = search_by_name(criteria, page, index=index)
        else:
            context["problem"] = _("Enter a postal code or a city to find a therapist near you.")
    elif form.is_bound:
        status = 400
    results = context["results"]
    if results is not None:
        context["page_links"] = {
            "previous": _query_with(request, page=results.page - 1) if results.has_previous else "",
            "next": _query_with(request, page=results.page + 1) if results.has_next else "",
        }
        if settings.DIRECTORY_MAP_TILE_URL:  # no map without a tile server
            context["map_points"] = _map_points(results.listings)
    context["tile_url"] = settings.DIRECTORY_MAP_TILE_URL
    template = "directory/search.html"
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        template = "directory/_results.html"
    response = TemplateResponse(request, template, context, status=status)
    response["Vary"] = "HX-Request"
    return _private(response)


def _query_with(request: HttpRequest, **changes) -> str:
    query = {key: value for key, value in request.GET.items() if key != "page"}
    for key, value in changes.items():
        query[key] = value
    if query.get("page") in (1, "1"):
        query.pop("page")
    return f"{reverse('directory:search')}?{urlencode(query)}"


def _map_points(listings: list[Card]) -> list[dict]:
    points = []
    for listing in listings:
        location = listing.nearest_location
        if location is None:
            continue
        points.append(
            {
                "name": listing.display_name,
                "url": listing.get_absolute_url(),
                "lat": round(location.latitude, 4),
                "lng": round(location.longitude, 4),
            }
        )
    return points


def _public_listing(slug: str) -> Listing:
    listing = (
        Listing.objects.public()
        .with_registration()
        .prefetch_related(
            "modalities", "insurers", Prefetch("locations", queryset=Location.objects.all())
        )
        .select_related("photo")
        .filter(slug=slug)
        .first()
    )
    if listing is None:
        raise Http404
    return listing


def _profile_context(request: HttpRequest, listing: Listing, form: ContactForm) -> dict:
    return {
        "listing": listing,
        "form": form,
        # Escaped like json_script: nothing a member writes can close the <script> element.
        "json_ld": json.dumps(_json_ld(request, listing), ensure_ascii=False).translate(
            JSON_SCRIPT_ESCAPES
        ),
        "tile_url": settings.DIRECTORY_MAP_TILE_URL,
    }


@require_GET
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    listing = _public_listing(slug)
    referral_count(listing_id=listing.pk, counter="profile_views")
    response = TemplateResponse(
        request, "directory/profile.html", _profile_context(request, listing, ContactForm())
    )
    return _private(response)


def _json_ld(request: HttpRequest, listing: Listing) -> dict:
    """schema.org data for search engines: the therapist, and each place they practise."""
    url = request.build_absolute_uri(listing.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": listing.display_name,
        "url": url,
        "jobTitle": _("Registered Massage Therapist"),
        "knowsLanguage": listing.language_names,
        "hasCredential": {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": _("Registration"),
            "identifier": listing.registration_number,
            "recognizedBy": {"@type": "Organization", "name": listing.college},
        },
        "workLocation": [],
    }
    if listing.bio:
        data["description"] = listing.bio
    for location in listing.locations.all():
        address = {
            "@type": "PostalAddress",
            "addressLocality": location.city,
            "addressRegion": location.province,
            "addressCountry": "CA",
        }
        if location.shows_address:
            address["streetAddress"] = location.address
            address["postalCode"] = location.postal_code
        place = {"@type": "Place", "address": address}
        if location.clinic_name:
            place["name"] = location.clinic_name
        data["workLocation"].append(place)
    return data


@require_POST
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    listing = _public_listing(slug)
    form = ContactForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["website"]:  # the honeypot: answer as if sent, send nothing
            messages.success(request, _("Your message was sent."))
            return redirect(listing.get_absolute_url())
        ip = client_ip(request)
        if rate_limit_exceeded(
            "directory-contact-ip", ip, limit=CONTACT_LIMIT_PER_IP, seconds=CONTACT_WINDOW
        ) or rate_limit_exceeded(
            "directory-contact-listing",
            str(listing.pk),
            limit=CONTACT_LIMIT_PER_LISTING,
            seconds=CONTACT_WINDOW,
        ):
            form.add_error(
                None, _("Too many messages have been sent. Please try again in an hour.")
            )
            status = 429
        else:
            contact_send(listing=listing, data=form.cleaned_data, ip=ip)
            messages.success(
                request,
                _("Your message was sent to %(name)s, who will reply to your email.")
                % {"name": listing.display_name},
            )
            return redirect(listing.get_absolute_url())
    else:
        status = 400
    response = TemplateResponse(
        request, "directory/profile.html", _profile_context(request, listing, form), status=status
    )
    return _private(response)


class _AnyRedirect(HttpResponseRedirect):
    allowed_schemes = ["http", "https", "tel"]


@require_GET
def go(request: HttpRequest, slug: str, kind: str, location: int = 0) -> HttpResponse:
    """A contact link (booking, website, phone): counted, then followed."""
    listing = _public_listing(slug)
    target = ""
    if kind == "booking":
        target = listing.booking_url
    elif kind in ("website", "phone"):
        place = next((loc for loc in listing.locations.all() if loc.pk == location), None)
        if place is not None:
            target = (
                place.website
                if kind == "website"
                else "tel:" + "".join(c for c in place.phone if c.isdigit() or c == "+")
            )
    if not target or target == "tel:":
        raise Http404
    referral_count(listing_id=listing.pk, counter="contact_clicks")
    response = _AnyRedirect(target)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return _private(response)


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    found = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            found = verify_registration(form.cleaned_data["number"])
        else:
            status = 400
    response = TemplateResponse(
        request,
        "directory/verify.html",
        {"form": form, "found": found, "today": timezone.localdate()},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def verify_json(request: HttpRequest) -> HttpResponse:
    form = VerifyForm({"number": request.GET.get("number", "")})
    if not form.is_valid():
        return JsonResponse({"error": form.errors["number"][0]}, status=400)
    found = verify_registration(form.cleaned_data["number"])
    response = JsonResponse(
        {
            "registration_number": form.cleaned_data["number"],
            "checked_on": timezone.localdate().isoformat(),
            "members": [item.as_json() for item in found],
        }
    )
    response["Cache-Control"] = "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_required
def edit(request: HttpRequest) -> HttpResponse:
    """The member's own listing: turn it on, edit it, see its referral statistics."""
    eligible = listing_eligible(request.user)
    listing = listing_for(request.user)
    if not eligible and listing.pk is None:
        return TemplateResponse(request, "directory/edit_unavailable.html", status=403)
    if request.method == "POST":
        if not eligible:
            messages.error(request, _("Your membership does not include a listing right now."))
            return redirect("directory:edit")
        form = ListingForm(request.POST, request.FILES, instance=listing)
        locations = LocationFormSet(request.POST, prefix="locations")
        if "add_location" in request.POST:
            # "Add another location": the page again, as typed, with one more empty location
            # form (up to max_num); nothing is validated or saved yet.
            typed, typed_locations = typed_listing(request.POST)
            form = ListingForm(initial=typed, instance=listing)
            locations = LocationFormSet(prefix="locations", initial=typed_locations)
            locations.extra = 1
        elif form.is_valid() and locations.is_valid():
            try:
                listing = listing_save(
                    user=request.user,
                    data=form.cleaned_data,
                    modalities=list(form.cleaned_data["modalities"]),
                    insurers=list(form.cleaned_data["insurers"]),
                    locations=[f.cleaned_data for f in locations.forms if f.cleaned_data],
                    photo=form.cleaned_data.get("photo") or None,
                )
            except ValidationError as error:
                form.add_error("photo" if error.code and "photo" in error.code else None, error)
            else:
                messages.success(request, _("Your listing is saved."))
                return redirect("directory:edit")
    else:
        form = ListingForm(instance=listing)
        initial = (
            [
                {name: getattr(loc, name) for name in LOCATION_FIELDS}
                for loc in listing.locations.all()
            ]
            if listing.pk
            else []
        )
        if not initial:
            initial = [_first_location(request.user)]
        locations = LocationFormSet(prefix="locations", initial=initial)
    referrals = list(MonthlyReferrals.objects.filter(listing=listing)[:12]) if listing.pk else []
    is_public = bool(listing.pk) and Listing.objects.public().filter(pk=listing.pk).exists()
    return TemplateResponse(
        request,
        "directory/edit.html",
        {
            "form": form,
            "locations": locations,
            "listing": listing,
            "eligible": eligible,
            "is_public": is_public,
            "referrals": referrals,
        },
    )


def _first_location(user) -> dict:
    from tide.membership.models import Application

    application = (
        Application.objects.filter(user=user, status=Application.Status.APPROVED)
        .order_by("-decided_at")
        .first()
    )
    if application is None:
        return {}
    return {
        "address": application.practice_address,
        "city": application.practice_city,
        "province": application.province,
        "postal_code": application.practice_postal_code,
    }
