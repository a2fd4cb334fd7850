from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import TaxRate


class TaxRateViewSet(SnippetViewSet):
    model = TaxRate
    icon = "decimal"
    menu_label = _("Tax rates")
    list_display = ["province", "name", Column("percent", label=_("Rate"))]
    list_filter = ["province"]
    add_to_settings_menu = True
    menu_order = 400


register_snippet(TaxRateViewSet)


@hooks.register("register_admin_urls")
def billing_urls():
    return [
        path("billing/invoices/", admin_views.invoice_index, name="billing_admin_invoices"),
        path("billing/invoices/new/", admin_views.invoice_new, name="billing_admin_invoice_new"),
        path(
            "billing/stripe-events/",
            admin_views.stripe_event_index,
            name="billing_admin_stripe_events",
        ),
        path(
            "billing/invoices/<int:pk>/", admin_views.invoice_detail, name="billing_admin_invoice"
        ),
        path(
            "billing/invoices/<int:pk>/payment/",
            admin_views.invoice_record_payment,
            name="billing_admin_invoice_payment",
        ),
        path(
            "billing/invoices/<int:pk>/void/",
            admin_views.invoice_void_view,
            name="billing_admin_invoice_void",
        ),
        path(
            "billing/invoices/<int:pk>/refund/",
            admin_views.invoice_refund_view,
            name="billing_admin_invoice_refund",
        ),
        path(
            "billing/credit-notes/<int:pk>/paid-out/",
            admin_views.credit_note_paid_out_view,
            name="billing_admin_credit_note_paid_out",
        ),
        path(
            "billing/credit-notes/<int:pk>/retry/",
            admin_views.credit_note_retry_view,
            name="billing_admin_credit_note_retry",
        ),
        path(
            "billing/invoices/<int:pk>/issue/",
            admin_views.invoice_issue_view,
            name="billing_admin_invoice_issue",
        ),
    ]


class InvoicesMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("billing.view_invoice")


@hooks.register("register_admin_menu_item")
def invoices_menu_item():
    return InvoicesMenuItem(
        _("Invoices"), reverse("billing_admin_invoices"), icon_name="doc-full", order=300
    )


class PaymentFormatter(LogFormatter):
    label = _("Record payment")

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return _("Payment of %(amount)s by %(method)s recorded") % {
            "amount": data.get("amount", "?"),
            "method": data.get("method", "?"),
        }

    def format_comment(self, log_entry) -> str:
        return (log_entry.data or {}).get("reference", "")


class VoidFormatter(LogFormatter):
    label = _("Void invoice")
    message = _("Invoice voided")

    def format_comment(self, log_entry) -> str:
        return (log_entry.data or {}).get("reason", "")


class CreditFormatter(LogFormatter):
    label = _("Refund")

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return _("Credit note %(number)s for %(amount)s") % {
            "number": data.get("number", "?"),
            "amount": data.get("amount", "?"),
        }

    def format_comment(self, log_entry) -> str:
        return (log_entry.data or {}).get("reason", "")


class RefundedFormatter(LogFormatter):
    label = _("Refund sent")

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return _("Refund of %(number)s sent by %(method)s") % {
            "number": data.get("number", "?"),
            "method": data.get("method", "?"),
        }


class RefundFailedFormatter(LogFormatter):
    label = _("Card refund failed")

    def format_message(self, log_entry) -> str:
        return _("Stripe did not take the card refund of %(number)s; retry or pay it out") % {
            "number": (log_entry.data or {}).get("number", "?")
        }


@hooks.register("register_log_actions")
def invoice_log_actions(actions):
    actions.register_action("tide.invoice.create", _("Create invoice"), _("Draft invoice created"))
    actions.register_action(
        "tide.invoice.issue", _("Issue invoice"), _("Invoice issued and emailed")
    )
    actions.register_action("tide.invoice.paid", _("Invoice paid"), _("Invoice paid in full"))
    actions.register_action("tide.invoice.payment")(PaymentFormatter)
    actions.register_action("tide.invoice.void")(VoidFormatter)
    actions.register_action("tide.invoice.credit")(CreditFormatter)
    actions.register_action(
        "tide.billing.card_saved", _("Save a card"), _("Card saved for automatic charges")
    )
    actions.register_action("tide.invoice.refunded")(RefundedFormatter)
    actions.register_action("tide.invoice.refund_failed")(RefundFailedFormatter)


@hooks.register("register_permissions")
def billing_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="billing",
        codename__in=["view_invoice", "change_invoice", "add_payment", "add_creditnote"],
    )
