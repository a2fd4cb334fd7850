from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tide.lib.canada import postal_code_format

from .models import Application, MembershipLevel

# Kept word for word as the evidence of the member's consent to email news.
NEWS_OPT_IN_WORDING = _("Send me the association's email news. I can unsubscribe at any time.")


class ApplicationForm(forms.ModelForm):
    """The join form. Privacy must be ticked by the applicant; nothing is ticked for them."""

    class Meta:
        model = Application
        fields = [
            "legal_name",
            "preferred_name",
            "phone",
            "province",
            "practice_address",
            "practice_city",
            "practice_postal_code",
            "college",
            "registration_number",
            "graduation_year",
            "school",
            "expected_graduation_on",
            "languages",
            "modalities",
            "privacy_accepted",
            "news_opt_in",
        ]
        labels = {
            "legal_name": _("Legal name"),
            "preferred_name": _("Preferred name"),
            "phone": _("Phone"),
            "province": _("Province or territory where you practise"),
            "practice_address": _("Practice address"),
            "practice_city": _("City"),
            "practice_postal_code": _("Postal code"),
            "college": _("Regulatory college"),
            "registration_number": _("Registration number"),
            "graduation_year": _("Year you graduated (or will graduate)"),
            "school": _("School or college where you study"),
            "expected_graduation_on": _("Expected graduation date"),
            "languages": _("Languages you treat in"),
            "modalities": _("Modalities"),
            "privacy_accepted": _(
                "I have read the privacy terms and agree that the association keeps these details to run my membership."
            ),
            "news_opt_in": NEWS_OPT_IN_WORDING,
        }
        help_texts = {
            "legal_name": _("As it appears on your college registration."),
            "preferred_name": _("What we call you, if different."),
            "registration_number": _("Letters and digits only, as your college shows it."),
            "languages": _("For example: English, French, Punjabi."),
            "modalities": _("For example: Swedish, myofascial release, prenatal."),
            "expected_graduation_on": _("Your best estimate, like 2027-06-15."),
        }
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "legal_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "practice_address": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "practice_city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "practice_postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "modalities": forms.Textarea(attrs={"rows": 3}),
            "expected_graduation_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, level: MembershipLevel, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.level = level
        self.fields["province"].choices = [("", _("Choose…")), *self.fields["province"].choices[1:]]
        if "privacy_accepted" in self.fields:
            self.fields["privacy_accepted"].required = True
            self.fields["privacy_accepted"].error_messages["required"] = _(
                "Tick this box to accept the privacy terms; we cannot process an application "
                "without it."
            )
        self.fields["graduation_year"].widget.attrs.update({"inputmode": "numeric"})
        if level.requires_registration_number:
            for name in ("college", "registration_number"):
                self.fields[name].required = True
        if level.requires_student_evidence:
            for name in ("school", "expected_graduation_on"):
                self.fields[name].required = True
        else:
            del self.fields["school"], self.fields["expected_graduation_on"]

    def clean_practice_postal_code(self) -> str:
        value = self.cleaned_data["practice_postal_code"].strip()
        return postal_code_format(value) if value else ""

    def clean_registration_number(self) -> str:
        return "".join(self.cleaned_data["registration_number"].split()).upper()

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"].strip()
        digits = [c for c in value if c.isdigit()]
        if not 10 <= len(digits) <= 15 or any(c not in "0123456789 +-().x" for c in value):
            raise ValidationError(_("Enter a phone number with its area code, like 416 555 0142."))
        return value

    def clean_expected_graduation_on(self):
        expected = self.cleaned_data["expected_graduation_on"]
        today = timezone.localdate()
        if expected and expected < today:
            raise ValidationError(
                _("That date has passed: if you have graduated, choose the New graduate level.")
            )
        if expected and expected.year > today.year + 6:
            raise ValidationError(_("Enter a date within the next six years."))
        return expected

    def clean_graduation_year(self) -> int | None:
        year = self.cleaned_data["graduation_year"]
        this_year = timezone.localdate().year
        if year is not None and not 1950 <= year <= this_year + 6:
            raise ValidationError(
                _("Enter a year between 1950 and %(last)s.") % {"last": this_year + 6}
            )
        return year


class DetailsForm(forms.ModelForm):
    """A member's own contact and practice details (`Application.DETAILS_FIELDS`)."""

    class Meta:
        model = Application
        fields = Application.DETAILS_FIELDS
        # The join form's wording; a form ignores the names of fields it does not have.
        labels = ApplicationForm.Meta.labels
        help_texts = ApplicationForm.Meta.help_texts
        widgets = ApplicationForm.Meta.widgets

    clean_phone = ApplicationForm.clean_phone
    clean_practice_postal_code = ApplicationForm.clean_practice_postal_code


class StaffDetailsForm(DetailsForm):
    """What a membership officer may correct on a member's approved application."""

    class Meta(DetailsForm.Meta):
        fields = Application.STAFF_DETAILS_FIELDS
        labels = {
            **ApplicationForm.Meta.labels,
            "province": _("Province or territory where they practise"),
            "languages": _("Languages they treat in"),
        }
        help_texts = {
            "legal_name": _("As it appears on their college registration."),
            "preferred_name": _("What we call them, if different."),
            "registration_number": _("Letters and digits only, as the college shows it."),
        }

    clean_registration_number = ApplicationForm.clean_registration_number


class ResubmitForm(ApplicationForm):
    """What the applicant may change when staff ask for more information."""

    class Meta(ApplicationForm.Meta):
        fields = [
            f for f in ApplicationForm.Meta.fields if f not in ("privacy_accepted", "news_opt_in")
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, sent to the applicant"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the applicant a reason.")},
    )


class MessageForm(forms.Form):
    message = forms.CharField(
        label=_("What do you need? Sent to the applicant"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what information you need.")},
    )
