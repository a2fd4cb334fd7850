from __future__ import annotations

import functools
import html
import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import translation
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from tide.lib.canada import PROVINCES, postal_code_format

from .geo import fsa_place
from .models import LANGUAGES, RADII_KM, Gender, Insurer, Listing, Modality

DEFAULT_RADIUS = 25


# The search form's widgets, written directly rather than through a template per widget and
# per option: the form has about sixty options and is drawn on every search. They escape with
# the standard library: Django's escape first checks each argument for laziness, which costs
# more than escaping the short strings.


def _tag(element: str, attrs: dict, inner: str | None = None) -> SafeString:
    """<element attrs…>, as flatatt writes them: True is a bare attribute; False and None are
    left out."""
    written = "".join(
        f" {key}" if value is True else f' {key}="{html.escape(str(value))}"'
        for key, value in attrs.items()
        if value is not False and value is not None
    )
    tag = f"<{element}{written}>"
    if inner is not None:
        tag += f"{inner}</{element}>"
    return mark_safe(tag)  # noqa: S308  # nosec B308 B703 - every value is escaped


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{html.escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{html.escape(str(label))}</option>"
            for key, label in self.choices
        )
        return _tag("select", {"name": name, **self.build_attrs(self.attrs, attrs)}, options)


class QuickTextInput(forms.TextInput):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final = {"type": "text", "name": name, **self.build_attrs(self.attrs, attrs)}
        final["value"] = self.format_value(value)
        return _tag("input", final)


class Checkbox(forms.CheckboxInput):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final = {"type": "checkbox", "name": name, **self.build_attrs(self.attrs, attrs)}
        final["checked"] = self.check_test(value)
        final["value"] = self.format_value(value)
        return _tag("input", final)


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
        typed = "languages" in (kwargs.get("initial") or {})
        super().__init__(*args, **kwargs)
        self.fields["gender"].choices = [("", _g("Not shown")), *Gender.choices]
        if not typed:
            self.initial["languages"] = self.instance.language_codes or ["en"]

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
    # Blank first, so an added location left untouched is an unchanged (skipped) form.
    province = forms.ChoiceField(label=_("Province"), choices=[("", _("Choose…")), *PROVINCES])
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


def typed_listing(data) -> tuple[dict, list[dict]]:
    """What the member typed in the listing form and each location form, as initial values:
    the page is drawn again with one more location, without saving and without errors."""
    listing = {
        name: data.getlist(name) if isinstance(field, forms.MultipleChoiceField) else data.get(name)
        for name, field in ListingForm.base_fields.items()
        if name != "photo"  # a browser never sends a file back
    }
    try:
        count = min(int(data.get("locations-TOTAL_FORMS", 0)), LocationFormSet.max_num)
    except ValueError:
        count = 0
    locations = [
        {name: data.get(f"locations-{n}-{name}") for name in LocationForm.base_fields}
        for n in range(max(count, 0))
    ]
    return listing, locations


class _Pairs(BaseChoiceIterator):
    """Choices that are already flat (value, label) pairs: Django takes an iterator like this
    as it is, instead of inspecting every choice again on every search."""

    def __init__(self, pairs: list[tuple]) -> None:
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)


@functools.cache
def _fixed_choices(language: str) -> dict[str, list[tuple]]:
    """The search form's fixed lists, translated once per language rather than on every
    search (and not copied with the form's fields: lazy labels are slow to copy)."""
    with translation.override(language):
        anything = ("", _g("Any"))
        return {
            "any": anything,
            "radius": [(r, _g("%(km)s km") % {"km": r}) for r in RADII_KM],
            "language": [anything, *((code, str(name)) for code, name in LANGUAGES)],
            "gender": [anything, *((value, str(name)) for value, name in Gender.choices)],
            "billing": [anything, ("any", _g("Direct billing to any insurer"))],
        }


class SearchForm(forms.Form):
    """The whole query, read from the URL (GET), so a search can be shared or bookmarked."""

    near = forms.CharField(
        label=_("Postal code or city"),
        max_length=100,
        required=False,
        widget=QuickTextInput(attrs={"autocomplete": "postal-code", "placeholder": "M5V 2T6"}),
    )
    # The fixed lists' choices are set per request, translated (see _fixed_choices).
    radius = forms.TypedChoiceField(
        label=_("Within"),
        coerce=int,
        required=False,
        empty_value=DEFAULT_RADIUS,
        widget=QuickSelect,
    )
    name = forms.CharField(
        label=_("Therapist's name"), max_length=100, required=False, widget=QuickTextInput
    )
    modality = forms.ChoiceField(label=_("Modality"), required=False, widget=QuickSelect)
    language = forms.ChoiceField(label=_("Language"), required=False, widget=QuickSelect)
    gender = forms.ChoiceField(label=_("Therapist's gender"), required=False, widget=QuickSelect)
    billing = forms.ChoiceField(label=_("Direct billing"), required=False, widget=QuickSelect)
    wheelchair = forms.BooleanField(
        label=_("Wheelchair accessible"), required=False, widget=Checkbox
    )
    evenings = forms.BooleanField(label=_("Evening hours"), required=False, widget=Checkbox)
    weekends = forms.BooleanField(label=_("Weekend hours"), required=False, widget=Checkbox)
    mobile = forms.BooleanField(label=_("Mobile or home visits"), required=False, widget=Checkbox)
    accepting = forms.BooleanField(
        label=_("Accepting new patients"), required=False, widget=Checkbox
    )

    def __init__(self, *args, modalities, insurers, **kwargs) -> None:
        """`modalities` and `insurers`: the lists staff keep, as (slug, name) pairs."""
        super().__init__(*args, **kwargs)
        fixed = _fixed_choices(get_language())
        self.fields["radius"].choices = _Pairs(fixed["radius"])
        self.fields["language"].choices = _Pairs(fixed["language"])
        self.fields["gender"].choices = _Pairs(fixed["gender"])
        self.fields["modality"].choices = _Pairs([fixed["any"], *modalities])
        self.fields["billing"].choices = _Pairs([*fixed["billing"], *insurers])

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
