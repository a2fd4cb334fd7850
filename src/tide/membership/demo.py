"""Demo membership: the five levels, an approved RMT membership for the demo member and three
applicants (two paid and waiting for review, a student who has not paid). Made through the
services (and billing), so the demo holds what real use would."""

from __future__ import annotations

from datetime import date

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from tide.accounts.models import User
from tide.billing.models import Invoice, Payment
from tide.billing.services import payment_record

from .models import MembershipLevel, RegisterImport
from .register import register_commit
from .services import application_approve, application_submit

STAFF_EMAIL = "staff@tide.example"
MEMBER_EMAIL = "member@tide.example"
DEMO_PASSWORD = "tide-demo-password"  # nosec B105

LEVELS = [
    # name, slug, dues, admin fee, registration number, directory, insurance, member prices, text
    ("RMT", "rmt", 350_00, 50_00, True, True, True, True,
     "For registered massage therapists in practice: every benefit, and a voice in the association."),
    ("New graduate", "new-graduate", 175_00, 50_00, True, True, True, True,
     "Half price for your first two years after graduating, with every benefit of full membership."),
    ("Student", "student", 50_00, 0, False, False, False, True,
     "For students in a massage therapy program: member prices on courses and our mentoring network."),
    ("Retired", "retired", 90_00, 0, False, False, False, True,
     "Stay connected after you stop practising: news, events and member prices."),
    ("Associate", "associate", 150_00, 0, False, False, False, True,
     "For people who are not RMTs — educators, researchers, clinic owners — who support the profession."),
]  # fmt: skip

APPLICANTS = [
    ("priya.shah@tide.example", "Priya", "Shah", "rmt", "BC", "Vancouver", "V6B 1A1",
     "College of Complementary Health Professionals of BC", "M04512", 2019, "English, Gujarati"),
    ("etienne.roy@tide.example", "Étienne", "Roy", "new-graduate", "NB", "Moncton", "E1C 4B7",
     "New Brunswick College of Massage Therapists", "NB2291", 2025, "French, English"),
    ("maya.chen@tide.example", "Maya", "Chen", "student", "AB", "Calgary", "T2P 1J9",
     "", "", None, "English, Mandarin"),
]  # fmt: skip


def _person(email: str, first: str, last: str) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def _pay(application, by: User) -> None:
    invoice = Invoice.objects.get(number=application.invoice_number)
    payment_record(
        invoice=invoice,
        amount_cents=invoice.total_cents,
        method=Payment.Method.ETRANSFER,
        reference="demo-" + application.invoice_number,
        by=by,
    )


@transaction.atomic
def demo_membership() -> bool:
    """Create the demo membership data once; returns False if the levels were already there."""
    officers, _ = Group.objects.get_or_create(name="Membership officers")
    officers.permissions.add(
        *Permission.objects.filter(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="membership",
            codename__in=[
                "change_application",
                "view_membershipperiod",
                "add_membershiplevel",
                "change_membershiplevel",
            ],
        ),
    )
    finance, _ = Group.objects.get_or_create(name="Finance")
    finance.permissions.add(
        *Permission.objects.filter(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="billing",
            codename__in=["view_invoice", "change_invoice", "add_payment", "add_creditnote"],
        ),
    )
    if MembershipLevel.objects.exists():
        return False
    levels = {}
    for order, (name, slug, dues, fee, reg, listing, insurance, prices, text) in enumerate(LEVELS):
        levels[slug] = MembershipLevel.objects.create(
            name=name,
            slug=slug,
            description=text,
            annual_price_cents=dues,
            admin_fee_cents=fee,
            late_fee_cents=25_00 if reg else 0,  # practising members renewing in grace
            requires_registration_number=reg,
            requires_student_evidence=slug == "student",
            includes_directory_listing=listing,
            includes_insurance_eligibility=insurance,
            includes_member_prices=prices,
            sort_order=order * 10,
        )
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    if member is not None and staff is not None:
        application = application_submit(
            user=member,
            level=levels["rmt"],
            data={
                "legal_name": member.get_full_name() or "Jordan Lee",
                "phone": "416 555 0199",
                "province": "ON",
                "practice_address": "22 Queen Street East",
                "practice_city": "Toronto",
                "practice_postal_code": "M5C 1R9",
                "college": "College of Massage Therapists of Ontario",
                "registration_number": "U4812",
                "graduation_year": 2016,
                "languages": "English",
                "modalities": "Swedish massage, myofascial release, prenatal massage",
                "privacy_accepted": True,
            },
        )
        _pay(application, staff)
        application_approve(application=application, by=staff)
    for (
        email,
        first,
        last,
        slug,
        province,
        city,
        postal,
        college,
        number,
        year,
        languages,
    ) in APPLICANTS:
        person = _person(email, first, last)
        application = application_submit(
            user=person,
            level=levels[slug],
            data={
                "legal_name": f"{first} {last}",
                "phone": "604 555 0123" if province == "BC" else "506 555 0147",
                "province": province,
                "practice_address": "1 Main Street",
                "practice_city": city,
                "practice_postal_code": postal,
                "college": college,
                "registration_number": number,
                "graduation_year": year,
                "languages": languages,
                "modalities": "Sports massage, lymphatic drainage",
                "privacy_accepted": True,
                "news_opt_in": True,
                **(
                    {
                        "school": "Mount Royal University, Massage Therapy diploma",
                        "expected_graduation_on": date(timezone.localdate().year + 1, 6, 15),
                    }
                    if levels[slug].requires_student_evidence
                    else {}
                ),
            },
        )
        if email != APPLICANTS[-1][0]:  # the last one has not paid yet: staff can record it
            _pay(application, staff)
    if member is not None and staff is not None:
        _demo_register(member.get_full_name() or "Jordan Lee", staff)
    return True


def _demo_register(member_name: str, staff: User) -> None:
    """Ontario's register, imported: the demo member shows as verified in Find an RMT."""
    rows = [
        ("Registration Number", "Name", "Status", "City"),
        ("U4812", member_name, "Active", "Toronto"),
        ("U3307", "Gagnon, Sylvie", "Active", "Ottawa"),
        ("U5512", "Okafor, Chidi", "Suspended", "Hamilton"),
        ("U6120", "Nguyen, Linh", "Active", "Mississauga"),
    ]
    draft = RegisterImport.objects.create(
        college="College of Massage Therapists of Ontario",
        file_name="ontario-register.csv",
        csv_text="".join(",".join(f'"{cell}"' for cell in row) + "\n" for row in rows),
        number_column="Registration Number",
        name_column="Name",
        status_column="Status",
        active_values="Active",
        created_by=staff,
    )
    register_commit(draft=draft, by=staff)
