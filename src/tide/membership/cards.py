"""The digital membership card (a wallet-sized PDF) and the public page its QR code opens.

The QR code holds a signed token of the membership period's id (django.core.signing with a
salt of its own): nothing is stored for it, it cannot be guessed or enumerated, and a
changed character makes it worthless. The page shows the member's standing on the day it
is opened, so an old card never vouches for a membership that has ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core import signing
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from .models import MembershipLevel, MembershipPeriod

if TYPE_CHECKING:
    from tide.lib.pdf import Letterhead

VERIFY_SALT = "tide.membership.card.verify"
CARD_SIZE_MM = (85.6, 54.0)  # ISO/IEC 7810 ID-1, a credit card
DATE_FORMAT = "j F Y"


def verification_token(period: MembershipPeriod) -> str:
    return signing.dumps(period.pk, salt=VERIFY_SALT)


def period_from_token(token: str) -> MembershipPeriod | None:
    """The period a card's token names, or None for a token that is bad, changed or stale."""
    try:
        pk = signing.loads(token, salt=VERIFY_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return (
        MembershipPeriod.objects.select_related("user", "level", "application")
        .filter(pk=pk)
        .first()
    )


def member_name(period: MembershipPeriod) -> str:
    """The name the association knows the member by: the legal name they applied with."""
    if period.application_id and period.application.legal_name:
        return period.application.legal_name
    return period.user.get_full_name() or _("Member")


@dataclass(frozen=True)
class Standing:
    """What the public may know about a member on a day, and nothing else."""

    name: str
    level: MembershipLevel
    good_until: date | None  # None: not in good standing
    ended_on: date | None = None


def standing_for(period: MembershipPeriod, today: date) -> Standing:
    """The standing today of the member whose card holds `period` (a renewal counts)."""
    current = (
        MembershipPeriod.objects.current(today)
        .filter(user_id=period.user_id)
        .select_related("level")
        .order_by("-ends_on")
        .first()
    )
    if current:
        return Standing(name=member_name(period), level=current.level, good_until=current.ends_on)
    last_ended = (
        MembershipPeriod.objects.filter(user_id=period.user_id, ends_on__lt=today)
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    return Standing(
        name=member_name(period), level=period.level, good_until=None, ended_on=last_ended
    )


def card_pdf(*, period: MembershipPeriod, letterhead: Letterhead, verify_url: str) -> bytes:
    """A one-page card the size of a credit card, with a QR code (and link) to `verify_url`."""
    # fpdf2 costs about 40 MB a process: loaded by the first card, not by every worker.
    from tide.lib.pdf import MUTED, TEAL, TEAL_DARK, WHITE, Document

    width, height = CARD_SIZE_MM
    doc = Document(
        letterhead=letterhead,
        title=_("Membership card — %(name)s") % {"name": member_name(period)},
        format=(height, width),
        orientation="landscape",
        margin=4,
        show_letterhead=False,
    )
    doc.set_auto_page_break(auto=False)
    doc.add_page()
    pad = 4.0

    # The band: the association's name on its colour.
    band = 11.0
    doc.set_fill_color(*TEAL_DARK)
    doc.rect(0, 0, width, band, style="F")
    doc.set_text_color(*WHITE)
    doc.fit_text(letterhead.name, width=width - 2 * pad, size=9, style="B")
    doc.set_xy(pad, 0)
    doc.cell(width - 2 * pad, band, letterhead.name, align="L")

    # The QR code on the right, with its caption.
    qr = 25.0
    qr_x, qr_y = width - pad - qr, band + 4
    doc.qr_code(verify_url, x=qr_x, y=qr_y, size=qr)
    doc.set_text_color(*MUTED)
    doc.set_font("Helvetica", "", 5.5)
    doc.set_xy(qr_x, qr_y + qr + 0.5)
    doc.cell(qr, 3, _("Scan to verify"), align="C")

    # The member, on the left.
    text_width = qr_x - pad - 3
    y = band + 5
    doc.set_text_color(*MUTED)
    doc.set_font("Helvetica", "B", 5.5)
    doc.set_xy(pad, y)
    doc.cell(text_width, 3, _("MEMBER"))
    doc.set_text_color(*TEAL_DARK)
    name = member_name(period)
    doc.fit_text(name, width=text_width, size=11, style="B")
    doc.set_xy(pad, y + 3.5)
    doc.cell(text_width, 5.5, name)
    doc.set_text_color(*TEAL)
    doc.fit_text(period.level.name, width=text_width, size=8.5)
    doc.set_xy(pad, y + 9.5)
    doc.cell(text_width, 4, period.level.name)

    doc.set_text_color(*MUTED)
    doc.set_font("Helvetica", "", 6.5)
    doc.set_xy(pad, y + 16.5)
    doc.cell(text_width, 3.5, _("In good standing until"))
    doc.set_text_color(*TEAL_DARK)
    doc.set_font("Helvetica", "B", 9.5)
    doc.set_xy(pad, y + 20)
    doc.cell(text_width, 4.5, format_date(period.ends_on, DATE_FORMAT))

    # The foot: what this is, and whom to ask.
    doc.set_draw_color(*TEAL)
    doc.set_line_width(0.3)
    doc.line(pad, height - 7, width - pad, height - 7)
    doc.set_text_color(*MUTED)
    doc.set_font("Helvetica", "", 5.5)
    doc.set_xy(pad, height - 6.5)
    doc.cell(width - 2 * pad, 4, _("Membership card"), align="L")
    if contact := letterhead.email or letterhead.phone:
        doc.set_xy(pad, height - 6.5)
        doc.cell(width - 2 * pad, 4, contact, align="R")
    return doc.render()
