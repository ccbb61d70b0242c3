"""The invoices pages, namespace ``invoices`` (config/urls.py)."""

from django.urls import path

from invoices.web import invoices

urlpatterns = [
    path("invoices/", invoices.invoice_list, name="list"),
    path("invoices/<uuid:invoice_id>/", invoices.invoice_detail, name="invoice"),
    path("invoices/<uuid:invoice_id>/pdf/", invoices.invoice_pdf_view, name="pdf"),
]
