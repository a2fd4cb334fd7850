from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from tide.lib.canada import PROVINCES, postal_code_format

from .geo import fsa_place
from .models import LANGUAGES, RADII_KM, Gender, Insurer, Listing, Modality

DEFAULT_RADIUS = 25


class QuickSelect(forms.Select):
    """A <select> written directly, not through a template per option: the search form has
    about sixty options and is drawn on every search."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        final = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)


class ListingForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    modalities = forms.ModelMultipleChoiceField(
        label=_("Modalities"),
        queryset=Modality.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    insurers = forms.ModelMultipleChoiceField(
        label=_("Insurers I bill directly"),
        queryset=Insurer.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("A JPEG, PNG or WebP of up to 5 MB; we shrink it to 800 pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Listing
        fields = [
            "enabled",
            "display_name",
            "credentials",
            "bio",
            "modalities",
            "conditions",
            "languages",
            "gender",
            "evenings",
            "weekends",
            "mobile_visits",
            "mobile_area",
            "direct_billing",
            "insurers",
            "accepts_mva",
            "accepts_workplace",
            "accepting_new_patients",
            "booking_url",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 6, "maxlength": 1500})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gender"].choices = [("", _g("Not shown")), *Gender.choices]
        if self.instance.pk:
            self.initial["languages"] = self.instance.language_codes
        elif "languages" not in self.initial:
            self.initial["languages"] = ["en"]

    def clean_languages(self) -> str:
        return "," + ",".join(self.cleaned_data["languages"]) + ","

    def clean_booking_url(self) -> str:
        url = self.cleaned_data["booking_url"]
        if url and not url.startswith(("https://", "http://")):
            raise ValidationError(_g("Enter a web address starting with https://."))
        return url


class LocationForm(forms.Form):
    clinic_name = forms.CharField(label=_("Clinic name"), max_length=150, required=False)
    address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    province = forms.ChoiceField(label=_("Province"), choices=PROVINCES)
    postal_code = forms.CharField(label=_("Postal code"), max_length=7)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    wheelchair_accessible = forms.BooleanField(label=_("Wheelchair accessible"), required=False)
    parking = forms.BooleanField(label=_("Parking"), required=False)
    address_hidden = forms.BooleanField(
        label=_("Home practice or visits only: show the area, not the address"), required=False
    )

    def clean_postal_code(self) -> str:
        code = postal_code_format(self.cleaned_data["postal_code"])
        if fsa_place(code) is None:
            raise ValidationError(
                _g("We do not know where postal code %(code)s is.") % {"code": code}
            )
        return code


LocationFormSet = formset_factory(LocationForm, extra=0, min_num=1, validate_min=True, max_num=5)


def _choices(queryset) -> list[tuple[str, str]]:
    return [("", _g("Any"))] + [(item.slug, item.name) for item in queryset]


class SearchForm(forms.Form):
    """The whole query, read from the URL (GET), so a search can be shared or bookmarked."""

    near = forms.CharField(
        label=_("Postal code or city"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "placeholder": "M5V 2T6"}),
    )
    radius = forms.TypedChoiceField(
        label=_("Within"),
        choices=[(r, _("%(km)s km") % {"km": r}) for r in RADII_KM],
        coerce=int,
        required=False,
        empty_value=DEFAULT_RADIUS,
        widget=QuickSelect,
    )
    name = forms.CharField(label=_("Therapist's name"), max_length=100, required=False)
    modality = forms.ChoiceField(label=_("Modality"), required=False, widget=QuickSelect)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Any")), *LANGUAGES],
        required=False,
        widget=QuickSelect,
    )
    gender = forms.ChoiceField(
        label=_("Therapist's gender"),
        choices=[("", _("Any")), *Gender.choices],
        required=False,
        widget=QuickSelect,
    )
    billing = forms.ChoiceField(label=_("Direct billing"), required=False, widget=QuickSelect)
    wheelchair = forms.BooleanField(label=_("Wheelchair accessible"), required=False)
    evenings = forms.BooleanField(label=_("Evening hours"), required=False)
    weekends = forms.BooleanField(label=_("Weekend hours"), required=False)
    mobile = forms.BooleanField(label=_("Mobile or home visits"), required=False)
    accepting = forms.BooleanField(label=_("Accepting new patients"), required=False)

    def __init__(self, *args, modalities, insurers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["modality"].choices = _choices(modalities)
        self.fields["billing"].choices = [
            ("", _g("Any")),
            ("any", _g("Direct billing to any insurer")),
        ] + [(insurer.slug, insurer.name) for insurer in insurers]

    def clean_radius(self) -> int:
        return self.cleaned_data["radius"] or DEFAULT_RADIUS


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Your email"), help_text=_("The therapist replies to it."))
    preferred_time = forms.CharField(
        label=_("Best time to reach you"), max_length=120, required=False
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Please do not include health details; the therapist will ask."),
    )
    # Left empty by people; bots fill it in.
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def clean(self):
        cleaned = super().clean()
        for name in ("name", "email", "preferred_time"):
            value = cleaned.get(name, "")
            if value and ("\r" in value or "\n" in value or _CONTROL.search(value)):
                self.add_error(name, _g("Use a single line without special characters."))
        if body := cleaned.get("body"):
            cleaned["body"] = _CONTROL.sub("", body)
        return cleaned


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=_("Registration number"),
        max_length=20,
        help_text=_("As issued by the regulatory college, for example U4812."),
    )

    def clean_number(self) -> str:
        number = "".join(self.cleaned_data["number"].split())
        if not re.fullmatch(r"[A-Za-z0-9]{3,20}", number):
            raise ValidationError(_g("Enter 3 to 20 letters and digits, without dashes."))
        return number
