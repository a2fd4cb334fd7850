"""Back-office screens: the listings (take one down, reject a photo) and the message log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tide.lib.backoffice import admin_breadcrumbs, staff_permission_required

from .models import ContactMessage, Listing
from .services import listing_moderate


@staff_permission_required("directory.change_listing")
def listing_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    listings = Listing.objects.select_related("user").annotate(message_count=Count("messages"))
    if query:
        listings = listings.filter(
            Q(display_name__icontains=query) | Q(user__email__icontains=query)
        )
    page = Paginator(listings.order_by("display_name", "id"), 50).get_page(request.GET.get("p"))
    page_ids = [listing.pk for listing in page]
    public_ids = set(Listing.objects.public().filter(pk__in=page_ids).values_list("id", flat=True))
    return TemplateResponse(
        request,
        "directory/admin/listing_index.html",
        {
            "page": page,
            "query": query,
            "public_ids": public_ids,
            "header_title": _("Directory listings"),
            "breadcrumbs_items": admin_breadcrumbs(("", _("Directory listings"))),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_permission_required("directory.change_listing")
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(
        Listing.objects.with_registration().select_related("user", "photo"), pk=pk
    )
    if request.method == "POST":
        action = request.POST.get("action")
        changes = {
            "hide": {"hidden": True},
            "show": {"hidden": False},
            "reject_photo": {"photo_rejected": True},
            "accept_photo": {"photo_rejected": False},
        }.get(action)
        if changes is None:
            return HttpResponse(_("Unknown action."), status=400)
        listing_moderate(listing=listing, by=request.user, **changes)
        messages.success(request, _("Listing updated."))
        return redirect("directory_admin_listing", pk=pk)
    return TemplateResponse(
        request,
        "directory/admin/listing_detail.html",
        {
            "listing": listing,
            "is_public": Listing.objects.public().filter(pk=pk).exists(),
            "recent_messages": listing.messages.all()[:20],
            "header_title": listing.display_name,
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("directory_admin_listings"), _("Directory listings")),
                ("", listing.display_name),
            ),
        },
    )


@staff_permission_required("directory.view_contactmessage")
def message_log(request: HttpRequest) -> HttpResponse:
    log = ContactMessage.objects.select_related("listing")
    if fingerprint := request.GET.get("sender", "").strip()[:16]:
        log = log.filter(sender_hash=fingerprint)
    page = Paginator(log, 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "directory/admin/message_log.html",
        {
            "page": page,
            "sender": fingerprint,
            "header_title": _("Directory messages"),
            "breadcrumbs_items": admin_breadcrumbs(("", _("Directory messages"))),
        },
    )
