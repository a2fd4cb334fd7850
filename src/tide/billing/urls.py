from __future__ import annotations

from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/<str:number>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<str:number>/pay/", views.invoice_pay_by_card, name="invoice_pay_by_card"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("invoices/<str:number>/receipt.pdf", views.invoice_receipt, name="invoice_receipt"),
]
