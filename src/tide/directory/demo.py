"""Demo listings for Find an RMT: the demo member's listing and three dozen therapists across
Canada, each a member who applied, paid and was approved, then filled in a listing, all
through the services."""

from __future__ import annotations

import random
import unicodedata
from datetime import date

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from tide.accounts.models import User
from tide.membership.demo import MEMBER_EMAIL, STAFF_EMAIL, _pay, _person
from tide.membership.models import Application, MembershipLevel
from tide.membership.services import application_approve, application_submit

from .models import Insurer, Listing, Modality
from .services import listing_save

# first, last, clinic, street, city, province, postal code, languages, gender
THERAPISTS = [
    ("Amélie", "Tremblay", "Clinique Harmonie", "120 Spadina Avenue", "Toronto", "ON", "M5V 2L4", "fr,en", "woman"),
    ("Noah", "Singh", "King West Therapy", "480 King Street West", "Toronto", "ON", "M5V 1L7", "en,pa,hi", "man"),
    ("Chloé", "Gagnon", "Bloom Prenatal Wellness", "55 Bloor Street West", "Toronto", "ON", "M4W 1A5", "fr,en", "woman"),
    ("Daniel", "Okafor", "Danforth Sports Clinic", "700 Danforth Avenue", "Toronto", "ON", "M4J 1L1", "en", "man"),
    ("Mei", "Chen", "Harbourfront Massage", "10 Queens Quay West", "Toronto", "ON", "M5J 2R9", "en,zh", "woman"),
    ("Sofia", "Rossi", "", "", "Mississauga", "ON", "L5B 3C2", "en,it", "woman"),
    ("Liam", "O'Brien", "Oakville Physio & Massage", "200 Lakeshore Road East", "Oakville", "ON", "L6J 1H8", "en", "man"),
    ("Aisha", "Rahman", "Brampton Wellness Centre", "30 Main Street North", "Brampton", "ON", "L6V 1N6", "en,ar", "woman"),
    ("Marc", "Bélanger", "Clinique Rideau", "150 Rideau Street", "Ottawa", "ON", "K1N 5X6", "fr,en", "man"),
    ("Grace", "Kim", "Glebe Massage Therapy", "800 Bank Street", "Ottawa", "ON", "K1S 3V8", "en,ko", "woman"),
    ("Olivia", "Martin", "Hamilton Healing Hands", "25 King Street East", "Hamilton", "ON", "L8N 1A9", "en", "woman"),
    ("Ethan", "Nguyen", "London Sports Massage", "300 Dundas Street", "London", "ON", "N6B 1T6", "en,vi", "man"),
    ("Hannah", "Schmidt", "Kitchener Therapeutic", "60 King Street West", "Kitchener", "ON", "N2G 1A3", "en,de", "woman"),
    ("Julien", "Lavoie", "Clinique du Plateau", "4200 Boulevard Saint-Laurent", "Montréal", "QC", "H2W 1Z3", "fr,en", "man"),
    ("Camille", "Roy", "Massothérapie Vieux-Québec", "50 Rue Saint-Jean", "Québec", "QC", "G1R 1N9", "fr", "woman"),
    ("Élise", "Côté", "", "", "Gatineau", "QC", "J8X 2B3", "fr,en", "woman"),
    ("Jacob", "Wilson", "Halifax Waterfront Massage", "1800 Lower Water Street", "Halifax", "NS", "B3J 1S1", "en", "man"),
    ("Emma", "MacDonald", "Charlottetown Massage Co.", "100 Queen Street", "Charlottetown", "PE", "C1A 4B3", "en", "woman"),
    ("Lucas", "Leblanc", "Moncton Massothérapie", "700 Main Street", "Moncton", "NB", "E1C 1E4", "fr,en", "man"),
    ("Maya", "Power", "St. John's Therapeutic Massage", "200 Water Street", "St. John's", "NL", "A1C 1A9", "en", "woman"),
    ("Ava", "Thompson", "Exchange District Massage", "100 Princess Street", "Winnipeg", "MB", "R3B 1K7", "en,fr", "woman"),
    ("Benjamin", "Friesen", "Saskatoon Sport & Spine", "200 2nd Avenue South", "Saskatoon", "SK", "S7K 1K9", "en,de", "man"),
    ("Isabella", "Cardinal", "Regina Wellness", "1800 Scarth Street", "Regina", "SK", "S4P 2G3", "en", "woman"),
    ("William", "Zhang", "Beltline Massage Therapy", "1000 17 Avenue SW", "Calgary", "AB", "T2T 0A6", "en,zh", "man"),
    ("Priya", "Patel", "Kensington Clinic", "1200 Kensington Road NW", "Calgary", "AB", "T2N 3P5", "en,gu,hi", "woman"),
    ("Jack", "Anderson", "Whyte Avenue Massage", "10400 82 Avenue NW", "Edmonton", "AB", "T6E 2A2", "en", "man"),
    ("Zoe", "Campbell", "", "", "Edmonton", "AB", "T5J 0N3", "en,fr", "non_binary"),
    ("Ryan", "Morrison", "Kitsilano Massage", "2000 West 4th Avenue", "Vancouver", "BC", "V6J 1M8", "en", "man"),
    ("Sakura", "Tanaka", "Gastown Therapeutics", "300 Water Street", "Vancouver", "BC", "V6B 1B6", "en,ja", "woman"),
    ("Diego", "Hernández", "Commercial Drive Wellness", "1600 Commercial Drive", "Vancouver", "BC", "V5L 3Y2", "en,es", "man"),
    ("Leah", "Dubois", "Victoria Harbour Massage", "800 Government Street", "Victoria", "BC", "V8W 1W5", "en,fr", "woman"),
    ("Owen", "Fraser", "Kelowna Lakeside Clinic", "1500 Water Street", "Kelowna", "BC", "V1Y 1J7", "en", "man"),
    ("Nora", "Kowalski", "Whitehorse Massage Therapy", "2100 2nd Avenue", "Whitehorse", "YT", "Y1A 1C1", "en,pl", "woman"),
    ("Samuel", "Lefebvre", "Sherbrooke Massothérapie", "100 Rue King Ouest", "Sherbrooke", "QC", "J1H 1N6", "fr", "man"),
    ("Fatima", "Haddad", "Laval Santé", "1600 Boulevard Le Corbusier", "Laval", "QC", "H7S 1Z3", "fr,ar,en", "woman"),
    ("Thomas", "Boucher", "Sudbury Massage Works", "100 Elm Street", "Sudbury", "ON", "P3C 1T3", "fr,en", "man"),
]  # fmt: skip

COLLEGES = {
    "ON": "College of Massage Therapists of Ontario",
    "BC": "College of Complementary Health Professionals of BC",
    "NB": "New Brunswick College of Massage Therapists",
    "NL": "College of Massage Therapists of Newfoundland and Labrador",
    "PE": "PEI Massage Therapy Registration Board",
}
BIO = (
    "I help people move and feel better, from desk workers with stiff necks to runners "
    "training for their next race. Each treatment starts with an assessment and a plan we "
    "agree on together."
)
CONDITIONS = [
    "Low back pain, neck and shoulder tension",
    "Pregnancy and postpartum care",
    "Sports injuries and recovery",
    "Headaches, jaw pain and TMJ",
    "Stress, sleep and anxiety",
]


@transaction.atomic
def demo_directory() -> None:
    """Idempotent: running it again keeps what is there."""
    directory_staff, _ = Group.objects.get_or_create(name="Directory moderators")
    directory_staff.permissions.add(
        *Permission.objects.filter(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="directory",
            codename__in=[
                "change_listing",
                "view_contactmessage",
                "add_modality",
                "change_modality",
                "add_insurer",
                "change_insurer",
            ],
        ),
    )
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    level = MembershipLevel.objects.filter(slug="rmt").first()
    if staff is None or level is None or Listing.objects.exists():
        return
    modalities = list(Modality.objects.all())
    insurers = list(Insurer.objects.all())
    chance = random.Random(4)  # nosec B311
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    if member is not None:
        listing_save(
            user=member,
            data={
                "enabled": True,
                "display_name": member.get_full_name() or "Jordan Lee",
                "credentials": "RMT",
                "bio": BIO,
                "conditions": CONDITIONS[0],
                "languages": ",en,",
                "accepting_new_patients": True,
                "direct_billing": True,
                "evenings": True,
            },
            modalities=modalities[:3],
            insurers=insurers[:4],
            locations=[
                {
                    "clinic_name": "Queen East Massage Therapy",
                    "address": "22 Queen Street East",
                    "city": "Toronto",
                    "province": "ON",
                    "postal_code": "M5C 1R9",
                    "phone": "416 555 0199",
                    "wheelchair_accessible": True,
                }
            ],
            by=member,
        )
    for number, (first, last, clinic, street, city, province, postal, langs, gender) in enumerate(
        THERAPISTS, start=1
    ):
        name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
        person = _person(name.lower().replace("'", "") + "@rmt.tide.example", first, last)
        application = application_submit(
            user=person,
            level=level,
            data={
                "legal_name": f"{first} {last}",
                "phone": "555 555 0100",
                "province": province,
                "practice_address": street,
                "practice_city": city,
                "practice_postal_code": postal,
                "college": COLLEGES.get(province, "Regulatory college"),
                "registration_number": f"D{1000 + number}",
                "languages": langs,
                "privacy_accepted": True,
            },
        )
        _pay(application, staff)
        application_approve(application=application, by=staff)
        if number % 3:
            Application.objects.filter(pk=application.pk).update(
                registration_verified_on=date(2026, 1, 15)
            )
        chosen = chance.sample(modalities, k=3)
        if langs.startswith("fr") or number % 4 == 0:
            chosen.append(next(m for m in modalities if m.slug == "prenatal"))
        direct = chance.random() < 0.7
        listing_save(
            user=person,
            data={
                "enabled": True,
                "display_name": f"{first} {last}",
                "credentials": "RMT",
                "bio": BIO,
                "conditions": chance.choice(CONDITIONS),
                "languages": f",{langs},",
                "gender": gender,
                "evenings": chance.random() < 0.5,
                "weekends": chance.random() < 0.4,
                "mobile_visits": not clinic,
                "mobile_area": f"{city} and nearby" if not clinic else "",
                "direct_billing": direct,
                "accepts_mva": chance.random() < 0.4,
                "accepts_workplace": chance.random() < 0.3,
                "accepting_new_patients": chance.random() < 0.8,
                "booking_url": "https://booking.example/" + person.email.split("@")[0]
                if chance.random() < 0.5
                else "",
            },
            modalities=list(set(chosen)),
            insurers=chance.sample(insurers, k=3) if direct else [],
            locations=[
                {
                    "clinic_name": clinic,
                    "address": street,
                    "city": city,
                    "province": province,
                    "postal_code": postal,
                    "phone": "555 555 0100",
                    "website": "https://clinic.example/" + str(number) if clinic else "",
                    "wheelchair_accessible": chance.random() < 0.6,
                    "parking": chance.random() < 0.5,
                    "address_hidden": not clinic,
                }
            ],
            by=person,
        )
