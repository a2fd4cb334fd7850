"""What membership holds about a person, for their data download and for account closure."""

from __future__ import annotations

from tide.accounts.models import User

from .models import Application, AutoRenewal, MemberNote, MembershipPeriod

APPLICATION_FIELDS = [
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
    "news_opt_in",
    "status",
    "invoice_number",
]


def membership_export(user: User) -> dict:
    return {
        "applications": [
            {
                **{field: getattr(application, field) for field in APPLICATION_FIELDS},
                "level": application.level.name,
                "submitted": application.created_at.isoformat(),
                "registration_verified_on": application.registration_verified_on,
            }
            for application in Application.objects.filter(user=user).select_related("level")
        ],
        "periods": [
            {"level": period.level.name, "starts_on": period.starts_on, "ends_on": period.ends_on}
            for period in MembershipPeriod.objects.filter(user=user).select_related("level")
        ],
        "automatic_renewal": AutoRenewal.objects.filter(user=user, enabled=True).exists(),
        "staff_notes": [
            {"written": note.written_at.isoformat(), "text": note.text}
            for note in MemberNote.objects.filter(member=user)
        ],
    }


def membership_erase(user: User) -> None:
    """Periods stay (they are the association's count of members, now anonymous); what the
    person told us about themselves goes."""
    Application.objects.filter(user=user).update(
        legal_name="",
        preferred_name="",
        phone="",
        practice_address="",
        practice_city="",
        practice_postal_code="",
        languages="",
        modalities="",
        school="",
        decision_reason="",
    )
    MemberNote.objects.filter(member=user).delete()
    AutoRenewal.objects.filter(user=user).delete()
