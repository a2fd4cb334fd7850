"""Blocks for marketing email bodies, and the sign-up block staff place on pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

EMAIL_RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]
DEFAULT_WORDING = (
    "Yes, email me the free ebook and the association's news for massage therapy clients. "
    "I can unsubscribe at any time."
)


class EmailHeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        label = _("Heading")


class EmailButtonBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Button text"), max_length=60)
    url = blocks.URLBlock(label=_("Web address"))

    class Meta:
        icon = "link"
        label = _("Button")


class EmailBodyBlock(blocks.StreamBlock):
    """Merge fields such as {first_name} may be typed in headings and text."""

    heading = EmailHeadingBlock(max_length=150)
    paragraph = blocks.RichTextBlock(
        features=EMAIL_RICH_TEXT_FEATURES, icon="pilcrow", label=_("Text")
    )
    button = EmailButtonBlock()


class SignupBlock(blocks.StructBlock):
    """The email-list sign-up form: name, email and the consent wording, for any page."""

    mailing_list = SnippetChooserBlock("mailing.MailingList", label=_("List"))
    heading = blocks.CharBlock(
        label=_("Heading"), max_length=120, default="Join our community and get the free ebook"
    )
    text = blocks.TextBlock(label=_("Text"), required=False)
    wording = blocks.TextBlock(
        label=_("Consent wording"),
        default=DEFAULT_WORDING,
        help_text=_("Exactly what people agree to; it is kept with their consent."),
    )
    button_label = blocks.CharBlock(
        label=_("Button label"), max_length=40, default="Send me the ebook"
    )

    class Meta:
        icon = "mail"
        label = _("Email sign-up")
        template = "mailing/blocks/signup.html"

    def get_context(self, value, parent_context=None):
        from .signup import signup_offer

        context = super().get_context(value, parent_context)
        if value["mailing_list"]:
            context["offer"] = signup_offer(value["mailing_list"], value["wording"])
        return context
