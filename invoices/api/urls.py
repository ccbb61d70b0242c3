from django.urls import path

from invoices.api import invoices

urlpatterns = [
    path("invoices", invoices.InvoiceList.as_view(), name="invoices"),
    path("invoices/<str:invoice_id>", invoices.InvoiceDetail.as_view(), name="invoice"),
    path("invoices/<str:invoice_id>/pdf", invoices.InvoicePdf.as_view(), name="invoice-pdf"),
]
