"""PDF documents on fpdf2: the association's letterhead, tables, money, QR codes.

Pure Python (fpdf2, qrcode, Pillow): nothing to install beyond pip. The text uses the PDF
core fonts (Helvetica) in the Windows-1252 encoding, which covers French and English
(é, è, ç, ô, curly quotes, dashes, «»); any other character is transliterated ("ł" → "l") rather than
failing. Callers pass the association's details in: this module imports no app.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import qrcode
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from fpdf import FPDF
from fpdf.enums import TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

FONT = "Helvetica"
TEAL = (11, 92, 92)  # --teal-700
TEAL_DARK = (6, 63, 63)  # --teal-900
TEAL_LIGHT = (223, 241, 238)  # --teal-100
SAND = (246, 241, 231)  # --sand-100
SAND_LINE = (226, 216, 200)  # --sand-300
INK = (31, 42, 42)  # --ink
MUTED = (74, 85, 85)  # --muted
OK = (29, 107, 58)  # --ok
WHITE = (255, 255, 255)

# Letters NFKD cannot take apart, and a few marks worth keeping readable.
_FALLBACKS = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "\u2212": "-",  # minus sign
        "\u2010": "-",
        "\u2011": "-",
        "\u00a0": " ",
        "\u202f": " ",  # narrow no-break space (French punctuation)
        "\u2009": " ",
    }
)


def pdf_safe(text: object) -> str:
    """`text` with every character the core fonts can print (Windows-1252); others are
    transliterated: "Amélie Côté" and "O'Brien" are kept, "Łukasz" becomes "Lukasz"."""
    result = []
    for char in str(text).translate(_FALLBACKS):
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in decomposed if not unicodedata.combining(c))
            try:
                base.encode("cp1252")
            except UnicodeEncodeError:
                base = "?"
            result.append(base)
        else:
            result.append(char)
    return "".join(result)


@dataclass(frozen=True)
class Letterhead:
    """Who the document comes from, printed at the top of every page."""

    name: str
    address: str = ""
    email: str = ""
    phone: str = ""

    @property
    def contact(self) -> str:
        return "  ·  ".join(part for part in [self.email, self.phone] if part)


class Document(FPDF):
    """A Letter-size page with the association's letterhead, and helpers to fill it."""

    def __init__(
        self,
        *,
        letterhead: Letterhead,
        title: str,
        format: str | tuple[float, float] = "Letter",
        orientation: str = "portrait",
        margin: float = 18,
        show_letterhead: bool = True,
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format=format)
        self.letterhead = letterhead
        self.show_letterhead = show_letterhead
        self.core_fonts_encoding = "cp1252"
        self.set_margins(margin, margin, margin)
        self.set_auto_page_break(auto=True, margin=margin + 4)
        self.set_title(pdf_safe(title))
        self.set_author(pdf_safe(letterhead.name))
        self.set_creator(pdf_safe(letterhead.name))
        self.set_lang("en-CA")
        self.set_text_color(*INK)
        self.set_draw_color(*SAND_LINE)
        self.set_font(FONT, size=10)

    # Every string passes through here before it is written, so callers never have to.
    def normalize_text(self, text: str) -> str:
        return super().normalize_text(pdf_safe(text))

    def header(self) -> None:
        if not self.show_letterhead:
            return
        self.set_font(FONT, "B", 15)
        self.set_text_color(*TEAL_DARK)
        self.cell(0, 7, self.letterhead.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=9)
        self.set_text_color(*MUTED)
        for line in (self.letterhead.address, self.letterhead.contact):
            if line:
                self.cell(0, 4.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_draw_color(*TEAL)
        self.set_line_width(0.6)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_line_width(0.2)
        self.set_draw_color(*SAND_LINE)
        self.set_text_color(*INK)
        self.ln(8)

    def footer(self) -> None:
        if not self.show_letterhead:
            return
        self.set_y(-14)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 4, self.letterhead.name, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"{self.page_no()} / {{nb}}", align="R")
        self.set_text_color(*INK)

    def title_block(self, title: str, subtitle: str = "") -> None:
        self.set_font(FONT, "B", 22)
        self.set_text_color(*TEAL_DARK)
        self.cell(0, 10, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font(FONT, size=11)
            self.set_text_color(*MUTED)
            self.cell(0, 6, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.ln(5)

    def section_heading(self, text: str) -> None:
        self.ln(3)
        self.set_font(FONT, "B", 12)
        self.set_text_color(*TEAL_DARK)
        self.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)

    def facts(self, columns: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Labelled facts side by side: [("Billed to", ["Amélie Côté", "ON"]), ...]."""
        width = (self.w - self.l_margin - self.r_margin) / max(len(columns), 1)
        top = self.get_y()
        bottom = top
        for index, (label, lines) in enumerate(columns):
            x = self.l_margin + index * width
            self.set_xy(x, top)
            self.set_font(FONT, "B", 8)
            self.set_text_color(*MUTED)
            self.cell(width - 4, 5, label.upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_font(FONT, size=10)
            self.set_text_color(*INK)
            for line in lines:
                self.set_x(x)
                self.multi_cell(width - 4, 5, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
            bottom = max(bottom, self.get_y())
        self.set_xy(self.l_margin, bottom + 6)

    def data_table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float],
        align: Sequence[str],
    ) -> None:
        """A table with a shaded heading row; `align` per column ("LEFT", "RIGHT": money)."""
        self.set_font(FONT, size=10)
        with self.table(
            col_widths=tuple(widths),
            text_align=tuple(align),
            line_height=6.5,
            padding=(1.5, 2),
            borders_layout="HORIZONTAL_LINES",
            headings_style=FontFace(emphasis="BOLD", color=TEAL_DARK, fill_color=TEAL_LIGHT),
            cell_fill_mode=TableCellFillMode.NONE,
            first_row_as_headings=True,
        ) as table:
            table.row(list(headings))
            for values in rows:
                table.row([str(value) for value in values])
        self.ln(2)

    def totals(self, rows: Sequence[tuple[str, str]], *, strong: Sequence[int] = ()) -> None:
        """Label and amount pairs, right-aligned under a table; rows in `strong` in bold."""
        # The amounts line up with a table's right-aligned column (cells are padded by 2 mm).
        label_width, amount_width, padding = 60.0, 30.0, 2.0
        right = self.w - self.r_margin
        left = right - padding - label_width - amount_width
        for index, (label, amount) in enumerate(rows):
            bold = index in strong
            if bold:
                self.set_draw_color(*TEAL)
                self.line(left, self.get_y(), right, self.get_y())
                self.set_draw_color(*SAND_LINE)
            self.set_font(FONT, "B" if bold else "", 11 if bold else 10)
            self.set_x(left)
            self.cell(label_width, 6.5, label, align="R")
            self.cell(amount_width, 6.5, amount, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=10)
        self.ln(2)

    def stamp(self, text: str, *, color: tuple[int, int, int] = OK) -> None:
        """A bordered, coloured line of text, like "Paid in full"."""
        self.set_font(FONT, "B", 12)
        self.set_text_color(*color)
        self.set_draw_color(*color)
        self.set_line_width(0.6)
        width = self.get_string_width(text) + 10
        self.cell(width, 9, text, border=1, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_line_width(0.2)
        self.set_draw_color(*SAND_LINE)
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)
        self.ln(3)

    def note(self, text: str, *, size: float = 9) -> None:
        self.set_font(FONT, size=size)
        self.set_text_color(*MUTED)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)

    def fit_text(
        self, text: str, *, width: float, size: float, style: str = "", smallest: float = 5
    ) -> float:
        """Set the font to the largest size up to `size` at which `text` fits in `width` mm."""
        while size > smallest:
            self.set_font(FONT, style, size)
            if self.get_string_width(text) <= width:
                return size
            size -= 0.5
        self.set_font(FONT, style, smallest)
        return smallest

    def qr_code(self, url: str, *, x: float, y: float, size: float) -> None:
        """A QR code for `url`, `size` mm square, that is also a clickable link to it."""
        self.image(qr_image(url), x=x, y=y, w=size, h=size, link=url)

    def render(self) -> bytes:
        return bytes(self.output())


def qr_image(url: str):
    """The QR code for `url` as a Pillow image (black on white, medium error correction)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=8)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image()


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """A PDF download: attachment, never sniffed, never kept by a shared cache."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
