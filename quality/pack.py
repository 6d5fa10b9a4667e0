"""The certificate pack of a shipment: one PDF with the certificate of conformance (the jobs, their inspections or
the plain statement that none was recorded, NCRs and their dispositions, material heats, outside processes),
and behind it the vendors' mill and process certificates, appended page for page.

The CoC's wording comes from the trace (coc_statements): it claims conformance only when every job was inspected
and every failure was settled by a dispositioned NCR; otherwise it says what is missing. Drawn with fpdf2, the
certificates appended with pypdf; a certificate that cannot be read (not a real PDF, missing from storage) is
named in the CoC as not appended, never a failed download.
"""

import io
import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from .models import NonConformance
from .trace import JobTrace, ShipmentTrace

log = logging.getLogger(__name__)
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)  # it logs every table it subsets at INFO
D = NonConformance.Disposition
FONT_DIR = Path(getattr(settings, "CERTIFICATE_PACK_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))


def _num(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _jobs_label(jobs) -> str:
    return ", ".join(j.number for j in jobs) or "none"


# --- the wording ---------------------------------------------------------------------------------------------


def inspection_statement(jt: JobTrace) -> str:
    job = jt.job
    if not jt.inspected:
        if jt.characteristics:
            return (f"No inspection was recorded for {job.number}: its {len(jt.characteristics)} planned "
                    "characteristic(s) have no measured value.")  # fmt: skip
        return f"No inspection was recorded for {job.number} (it has no inspection plan)."
    failed = jt.failed
    text = (f"{job.number}: {len(jt.characteristics)} characteristic(s) inspected, {jt.results_count} result(s) "
            "recorded")  # fmt: skip
    if not failed:
        text += ", all within tolerance"
    else:
        ncrs = {r.ncr_id for r in failed if r.ncr_id}
        named = [n for n in jt.ncrs if n.pk in ncrs]
        text += f", {len(failed)} out of tolerance"
        if named:
            said = [f"{n.number}: {n.get_disposition_display().lower() or 'open'}" for n in named]
            text += " (" + "; ".join(said) + ")"
        if any(r.ncr_id is None for r in failed):
            text += "; some failures are on no NCR"
    short = jt.short_samples
    if short:
        text += "; fewer samples than the plan asks for " + ", ".join(
            f"{c.characteristic.name} ({len(c.results)} of {c.required})" for c in short
        )
    return text + "."


def ncr_statement(ncr: NonConformance) -> str:
    text = f"{ncr.number} on {ncr.job.number}: {ncr.quantity} piece(s), {ncr.reason}"
    if ncr.status == NonConformance.Status.OPEN:
        return text + "; still open, not dispositioned."
    if ncr.disposition == D.USE_AS_IS:
        return text + f"; accepted as is under the customer's concession {ncr.concession_reference}."
    if ncr.disposition == D.REMAKE and ncr.remake_job:
        return text + f"; remade on {ncr.remake_job.number}."
    note = f" ({ncr.disposition_note})" if ncr.disposition_note else ""
    return text + f"; {ncr.get_disposition_display().lower()}{note}."


def material_statements(jt: JobTrace) -> list[str]:
    job = jt.job
    if not jt.material:
        return [f"{job.number}: no material is recorded."]
    out = []
    for need in jt.material:
        desc = need.requirement.description
        if need.from_stock:
            out.append(f"{job.number}: {desc} issued from stock; no heat or lot recorded.")
        elif not need.receipts:
            out.append(f"{job.number}: {desc} has no receipt recorded.")
        for r in need.receipts:
            heat = f"heat / lot {r.lot_number}" if r.lot_number else "no heat or lot recorded"
            cert = "mill certificate on file" if r.certificate else "no mill certificate on file"
            out.append(f"{job.number}: {desc}, {heat}, from {r.po_line.purchase_order.vendor.name} "
                       f"({r.po_line}), {cert}.")  # fmt: skip
    return out


def outside_statements(jt: JobTrace) -> list[str]:
    out = []
    for row in jt.returns:
        op = row.outside_operation.operation
        vendor = row.outside_operation.vendor
        lot = f", vendor lot {row.lot_number}" if row.lot_number else ""
        cert = "process certificate on file" if row.certificate else "no process certificate on file"
        out.append(f"{jt.job.number}: {op.description} (operation {op.sequence}) at "
                   f"{vendor.name if vendor else 'a vendor'}, {row.good} good back{lot}, {cert}.")  # fmt: skip
    return out


def coc_statements(trace: ShipmentTrace) -> list[str]:
    """What the certificate of conformance states, sentence by sentence, from the records only."""
    s = trace.shipment
    order = s.order
    pieces = sum(line.line.quantity for line in trace.lines)
    po = f" against the customer's purchase order {order.customer_po}" if order.customer_po else ""
    when = (f"shipped as {s.number} on {timezone.localtime(s.shipped_at):%Y-%m-%d}" if s.shipped_at
            else f"to ship as {s.number} (a draft, not shipped yet)")  # fmt: skip
    out = [f"The {pieces} piece(s) listed were made for order {order.number}{po} on job(s) "
           f"{_jobs_label(jt.job for jt in trace.jobs)}, {when}."]  # fmt: skip
    if not trace.jobs:
        out.append("No job with good pieces is recorded for these lines: nothing below is certified.")
        return out
    if trace.conforms_on_record:
        out.append(
            "Every job was inspected, and every result recorded is within tolerance or was dispositioned on "
            "the NCR named below: on these records the parts conform to the characteristics inspected."
        )
    else:
        missing = [jt.job.number for jt in trace.jobs if not jt.inspected]
        if missing:
            out.append(f"This certificate does not state that the parts of {', '.join(missing)} were "
                       "inspected: no inspection was recorded for them.")  # fmt: skip
        open_ncrs = [n.number for jt in trace.jobs for n in jt.open_ncrs]
        if open_ncrs:
            out.append(f"Non-conformance still open (not dispositioned): {', '.join(open_ncrs)}.")
        if any(jt.unsettled and not jt.open_ncrs for jt in trace.jobs):
            out.append("Some out-of-tolerance results are on no NCR.")
        if any(jt.short_samples for jt in trace.jobs if jt.inspected):
            out.append("Some characteristics have fewer samples recorded than the plan asks for.")
    heats = trace.heats
    if heats:
        out.append("Material heats / lots: " + ", ".join(h.lot for h in heats) + ".")
    else:
        out.append("No material heat or lot number is recorded for these jobs.")
    unrecorded = [jt.job.number for jt in trace.jobs
                  if not jt.material or any(not n.lots for n in jt.material)]  # fmt: skip
    if heats and unrecorded:
        out.append(f"No heat or lot is recorded for some material of {', '.join(unrecorded)} (see below).")
    return out


# --- the PDF -----------------------------------------------------------------------------------------------------


@dataclass
class Attachment:
    label: str  # "A1"
    title: str  # "Mill certificate, heat H-58217 (Northern Metals, PO-000012/1)"
    file_name: str
    reader: PdfReader | None
    problem: str = ""
    first_page: int = 0

    @property
    def pages(self) -> int:
        return len(self.reader.pages) if self.reader else 0


def _read(field) -> tuple[PdfReader | None, str]:
    """A stored certificate as a PDF reader, or why it cannot be appended (the file is the vendor's, not ours)."""
    try:
        with field.open("rb") as handle:
            data = handle.read()
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return None, "it is password protected"
        if len(reader.pages) == 0:
            return None, "it has no pages"
        return reader, ""
    except FileNotFoundError:
        return None, "the file is missing from storage"
    except Exception as exc:  # noqa: BLE001 - any unreadable vendor PDF is reported in the pack, not raised
        log.warning("certificate %s not appended: %r", field.name, exc)
        return None, "it is not a readable PDF"


def attachments(trace: ShipmentTrace) -> list[Attachment]:
    out = []
    for heat in trace.heats:
        for r in heat.certificates:
            reader, problem = _read(r.certificate)
            out.append(Attachment(
                f"A{len(out) + 1}", f"Mill certificate, heat / lot {heat.lot} "
                f"({r.po_line.purchase_order.vendor.name}, {r.po_line})", r.certificate_name, reader, problem,
            ))  # fmt: skip
    for row in trace.outside_returns:
        if not row.certificate:
            continue
        op = row.outside_operation.operation
        vendor = row.outside_operation.vendor
        reader, problem = _read(row.certificate)
        lot = f", lot {row.lot_number}" if row.lot_number else ""
        out.append(Attachment(
            f"A{len(out) + 1}", f"Process certificate, {op.description} of {op.job.number} "
            f"({vendor.name if vendor else 'vendor'}{lot})", row.certificate_name, reader, problem,
        ))  # fmt: skip
    return out


class _Pdf(FPDF):
    def __init__(self, trace: ShipmentTrace):
        super().__init__(format="A4")
        self.trace = trace
        self.unicode = False
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            self.add_font("Body", "", str(regular))
            self.add_font("Body", "B", str(bold))
            self.unicode = True
        self.family = "Body" if self.unicode else "Helvetica"
        self.set_auto_page_break(True, margin=16)
        self.set_margins(14, 14, 14)
        self.alias_nb_pages()

    def text_of(self, value) -> str:
        text = str(value)
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def footer(self):
        self.set_y(-12)
        self.set_font(self.family, "", 7)
        s = self.trace.shipment
        self.cell(0, 5, self.text_of(f"{settings.SHOP_NAME} · Certificate pack {s.number} · certificate of "
                                     f"conformance page {self.page_no()} of {{nb}}"), align="C")  # fmt: skip

    def heading(self, text: str, size: int = 11):
        self.ln(2)
        self.set_font(self.family, "B", size)
        self.multi_cell(0, 6, self.text_of(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 9)

    def para(self, text: str):
        self.set_font(self.family, "", 9)
        self.multi_cell(0, 4.6, self.text_of(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def grid(self, header: list[str], rows: list[list[str]], widths: tuple[int, ...]):
        self.set_font(self.family, "", 8)
        with self.table(col_widths=widths, line_height=4.6, first_row_as_headings=True, text_align="LEFT") as table:
            row = table.row()
            for cell in header:
                row.cell(self.text_of(cell))
            for values in rows:
                row = table.row()
                for cell in values:
                    row.cell(self.text_of(cell))
        self.ln(1)


INDEX_ROWS_PER_PAGE = 18  # rows of at most three lines: the index of attachments never takes more pages


def _draw(trace: ShipmentTrace, attached: list[Attachment], index_pages: int) -> tuple[bytes, int]:
    """The CoC, its job sections, and last the index of the certificates appended after it, on `index_pages`
    pages of its own (padded, so the page numbers it gives hold). Returns the bytes and the pages the index took."""
    s, order = trace.shipment, trace.shipment.order
    pdf = _Pdf(trace)
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 14)
    pdf.cell(0, 7, pdf.text_of(settings.SHOP_NAME), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, "", 8)
    pdf.cell(0, 4, pdf.text_of(settings.SHOP_ADDRESS), new_x="LMARGIN", new_y="NEXT")
    pdf.heading(f"Certificate of conformance · {s.number}", 13)
    when = timezone.localtime(s.shipped_at).strftime("%Y-%m-%d") if s.shipped_at else "not shipped yet (draft)"
    pdf.para(f"Customer: {order.customer.name} · Order {order.number} · Customer PO {order.customer_po or '-'} · "
             f"Shipped: {when}")  # fmt: skip
    pdf.grid(["Line", "Part and revision", "Description", "Qty", "Made on jobs"], [
        [str(lt.line.order_line.line_no), lt.line.order_line.part_label, lt.line.order_line.part_description,
         str(lt.line.quantity), _jobs_label(jt.job for jt in lt.jobs)]
        for lt in trace.lines
    ], (10, 40, 64, 12, 56))  # fmt: skip
    pdf.heading("Statement")
    for sentence in coc_statements(trace):
        pdf.para(sentence)
    if attached:
        pdf.para(f"The certificates listed on the last page{'s' if index_pages > 1 else ''} of this certificate "
                 "are appended behind it.")  # fmt: skip
    pdf.ln(6)
    pdf.para("Quality representative: ______________________________     Date: ______________")
    for jt in trace.jobs:
        _draw_job(pdf, jt)
    used = 0
    if attached:
        pdf.add_page()
        start = pdf.page_no()
        page = start + index_pages
        rows = []
        for a in attached:
            if a.reader:
                a.first_page = page
                page += a.pages
                where = f"pages {a.first_page}-{page - 1}" if a.pages > 1 else f"page {a.first_page}"
            else:
                where = f"not appended: {a.problem}"
            rows.append([a.label, a.title[:150], a.file_name[:60], where])
        pdf.heading("Certificates attached")
        pdf.grid(["", "Certificate", "File", "In this pack"], rows, (10, 92, 44, 36))
        used = pdf.page_no() - start + 1
        while pdf.page_no() - start + 1 < index_pages:
            pdf.add_page()
            pdf.para("This page is left blank.")
    return bytes(pdf.output()), used


def _draw_job(pdf: _Pdf, jt: JobTrace) -> None:
    job = jt.job
    origin = f" · remake for {jt.remake_of.number} of {jt.remake_of.job.number}" if jt.remake_of else ""
    pdf.heading(f"Job {job.number} · {job.part_label} · {job.quantity_completed} good of {job.quantity}{origin}")
    pdf.grid(["Op", "Work center", "Operation", "Operator(s)", "Good", "Scrap"], [
        [str(o.operation.sequence), o.operation.work_center.code, o.operation.description,
         ", ".join(o.operators) or ("vendor" if o.operation.work_center.is_outside else "none recorded"),
         str(o.operation.good_qty), str(o.operation.scrap_qty)]
        for o in jt.operations
    ], (10, 22, 56, 62, 16, 16))  # fmt: skip
    pdf.set_font(pdf.family, "B", 9)
    pdf.cell(0, 5, "Inspection", new_x="LMARGIN", new_y="NEXT")
    if not jt.inspected:
        pdf.para(inspection_statement(jt))
    else:
        pdf.para(inspection_statement(jt))
        rows = []
        for c in jt.characteristics:
            char = c.characteristic
            if not c.results:
                rows.append([char.name, char.tolerance_label, "-", "none recorded", ""])
            for r in c.results:
                value = _num(r.value) if char.is_dimension else ("pass" if r.passed else "fail")
                verdict = "pass" if r.passed else ("FAIL" + (f" ({r.ncr.number})" if r.ncr_id and r.ncr else ""))
                rows.append([char.name, char.tolerance_label, str(r.sample_no), value, verdict])
        pdf.grid(["Characteristic", "Tolerance", "Sample", "Measured", "Result"], rows, (50, 44, 16, 36, 36))
    if jt.ncrs:
        pdf.set_font(pdf.family, "B", 9)
        pdf.cell(0, 5, "Non-conformance", new_x="LMARGIN", new_y="NEXT")
        for ncr in jt.ncrs:
            pdf.para(ncr_statement(ncr))
    pdf.set_font(pdf.family, "B", 9)
    pdf.cell(0, 5, "Material", new_x="LMARGIN", new_y="NEXT")
    for sentence in material_statements(jt):
        pdf.para(sentence)
    outside = outside_statements(jt)
    if outside:
        pdf.set_font(pdf.family, "B", 9)
        pdf.cell(0, 5, "Outside processes", new_x="LMARGIN", new_y="NEXT")
        for sentence in outside:
            pdf.para(sentence)


def certificate_pack_pdf(trace: ShipmentTrace) -> bytes:
    """The pack's bytes: the CoC, then every readable certificate in the order the CoC lists them."""
    attached = attachments(trace)
    index_pages = -(-len(attached) // INDEX_ROWS_PER_PAGE)
    data, used = _draw(trace, attached, index_pages)
    if used > index_pages:  # rows longer than three lines: draw again with the pages the index took
        data, _used = _draw(trace, attached, used)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(data)))
    for a in attached:
        if a.reader is not None:
            writer.append(a.reader)
    out = io.BytesIO()
    writer.add_metadata({"/Title": f"Certificate pack {trace.shipment.number}", "/Author": settings.SHOP_NAME})
    writer.write(out)
    return out.getvalue()
