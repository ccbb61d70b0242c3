"""An invoice as PDF: the printable page's own template laid out by WeasyPrint (Pango, with Debian's Noto CJK fonts
for the Japanese text: .ci/run installs them)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from invoices.document import document
from invoices.models import Invoice


class PdfUnavailable(RuntimeError):
    """WeasyPrint's native libraries (Pango) are missing on this host."""


def invoice_pdf(invoice: Invoice, *, lang: str) -> bytes:
    """The PDF of ``invoice`` in ``lang`` (ja or en), from its snapshot only."""
    try:
        from weasyprint import HTML  # imported here: it loads Pango through ctypes, which only PDFs need
    except OSError as error:  # cffi's dlopen failed: the library is not installed
        raise PdfUnavailable(f"WeasyPrint cannot load its native libraries: {error}") from error
    with translation.override(lang):
        html = render_to_string("invoices/pdf.html", {"doc": document(invoice, lang=lang)})
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
