"""The quote edit page's forms: the header, and per line its breaks, operations, materials and outside services.

The page is a tree (lines, each with rows of three kinds), so it is not a Django formset: every line and row
has a prefix with a random token (`line-3fa9c1-op-77b0d2-setup_hours`), the browser sends them in page order,
and `QuoteEditForms` reads them back in that order. Rows added by the page's "Add" buttons come from the
server (quotes.edit) with a fresh token. Work centers and items are read once for every row (as the order
form does), so a quote of any size is validated and priced in a fixed number of queries.
"""

import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator

from jobs.models import WorkCenter
from sales.forms import DateInput, ItemChoiceField, active_items
from sales.models import MAX_PIECES, Customer
from sales.services import drawing_validate

from .models import Basis, EstimateMaterial, EstimateOperation, EstimateOutside, QuantityBreak, Quote, QuoteLine
from .selectors import LineEstimate

TOKEN = re.compile(r"^[a-z0-9]{1,16}$")
KINDS = {"op": "operations", "mat": "materials", "out": "outside"}
_KEY = re.compile(r"^line-([a-z0-9]{1,16})(?:-(op|mat|out)-([a-z0-9]{1,16}))?-\w+$")
DECIMAL = {"inputmode": "decimal"}


def new_token() -> str:
    return secrets.token_hex(3)


def active_work_centers() -> dict[int, WorkCenter]:
    return {wc.pk: wc for wc in WorkCenter.objects.filter(is_active=True).order_by("code")}


class QuoteForm(forms.ModelForm):
    class Meta:
        model = Quote
        fields = ["customer", "prospect_name", "prospect_email", "contact_name", "contact_email", "rfq_reference",
                  "valid_until", "lead_time_days", "markup_percent", "notes"]  # fmt: skip
        widgets = {"valid_until": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}
        labels = {"markup_percent": "Markup %", "lead_time_days": "Lead time (days)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(is_active=True).order_by("name")
        self.fields["customer"].empty_label = "A prospect (not a customer yet)"
        self.fields["customer"].required = False
        self.fields["markup_percent"].validators.append(MinValueValidator(0))
        self.fields["markup_percent"].widget.attrs.update(min="0", step="0.1", **DECIMAL)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("customer") and "customer" not in self.errors:
            for name in ("prospect_name", "prospect_email"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, "Required for a prospect (or pick a customer).")
        return cleaned

    def _post_clean(self):
        """The service checks the model (numbering, constraints); the form checks only its fields."""


def _row_form(name: str, model, fields: list[str], **extra) -> type[forms.Form]:
    """A plain form of `model`'s fields (its validators, no database constraint queries per row)."""
    attrs = forms.fields_for_model(model, fields=fields)
    attrs.update(extra)
    return type(name, (RowForm,), attrs)


class RowForm(forms.Form):
    def __init__(self, *args, centers=None, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if isinstance(f, forms.DecimalField):
                f.widget.attrs.update(DECIMAL)
                f.widget.attrs.setdefault("step", "any")
        if "work_center" in self.fields and centers is not None:
            self.fields["work_center"].use_items(centers)


def _hours(label):
    return forms.DecimalField(label=label, max_digits=9, decimal_places=3, min_value=0)


def _money(label="Cost"):
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0)


def _basis(initial):
    return forms.ChoiceField(choices=Basis.choices, initial=initial, label="Per")


OperationForm = _row_form(
    "OperationForm", EstimateOperation, ["description"],
    work_center=ItemChoiceField(queryset=WorkCenter.objects.none(), label="Work center",
                                empty_label="Work center…"),
    setup_hours=_hours("Setup h"),
    run_hours_per_piece=_hours("Run h/pc"),
    # The accuracy adjustment applied on the quote page: kept through an edit, shown beside the hours.
    setup_factor=forms.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"), initial=Decimal("1"),
                                    widget=forms.HiddenInput),
    run_factor=forms.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"), initial=Decimal("1"),
                                  widget=forms.HiddenInput),
    factor_source=forms.CharField(max_length=300, required=False, widget=forms.HiddenInput),
)  # fmt: skip
MaterialForm = _row_form(
    "MaterialForm", EstimateMaterial, ["description"],
    cost=_money(), basis=_basis(Basis.PIECE),
    scrap_percent=forms.DecimalField(label="Scrap %", max_digits=6, decimal_places=2, min_value=0,
                                     max_value=Decimal("99.99"), required=False),
)  # fmt: skip
OutsideForm = _row_form(
    "OutsideForm", EstimateOutside, ["vendor_name", "description"],
    cost=_money(), basis=_basis(Basis.LOT),
    lead_days=forms.IntegerField(label="Lead days", min_value=0, max_value=365, required=False),
)  # fmt: skip
ROW_FORMS = {"op": OperationForm, "mat": MaterialForm, "out": OutsideForm}


def row_form(kind: str, line_token: str, token: str | None = None, *, centers, data=None, initial=None) -> RowForm:
    """One row of a line (`kind` op, mat or out); a new row gets a fresh token."""
    prefix = f"line-{line_token}-{kind}-{token or new_token()}"
    return ROW_FORMS[kind](data, prefix=prefix, initial=initial, centers=centers)


def parse_breaks(text: str) -> list[int]:
    """ "1, 10, 50, 250" (commas, spaces or semicolons) -> [1, 10, 50, 250]; ValidationError on bad input."""
    parts = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    if not parts:
        raise ValidationError("Give at least one quantity, e.g. 1, 10, 50, 250.")
    bad = [p for p in parts if not p.isdigit() or not 0 < int(p) <= MAX_PIECES]
    if bad:
        raise ValidationError(f"Whole numbers of pieces from 1 to {MAX_PIECES:,}, not {', '.join(bad[:3])}.")
    quantities = [int(p) for p in parts]
    if len(set(quantities)) != len(quantities):
        raise ValidationError("Each quantity once.")
    return sorted(quantities)


class LineForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    item = ItemChoiceField(queryset=None, required=False, label="Catalogue item",
                           empty_label="Custom part (from the customer's drawing)")  # fmt: skip
    description = forms.CharField(max_length=255, required=False)
    drawing_number = forms.CharField(label="Customer drawing number", max_length=60, required=False)
    drawing_revision = forms.CharField(label="Drawing revision", max_length=10, required=False)
    breaks = forms.CharField(label="Quantity breaks", max_length=200, help_text="e.g. 1, 10, 50, 250")
    markup_percent = forms.DecimalField(label="Markup % (this line)", max_digits=6, decimal_places=2, min_value=0,
                                        required=False, help_text="Empty: the quote's markup.")  # fmt: skip
    drawing = forms.FileField(
        required=False, label="Add a drawing", help_text="PDF, PNG or JPEG.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )  # fmt: skip

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if items is not None:
            self.fields["item"].use_items(items)
        self.fields["markup_percent"].widget.attrs.update(DECIMAL)
        self.fields["breaks"].widget.attrs.update(inputmode="numeric", autocomplete="off")

    def clean_breaks(self):
        return parse_breaks(self.cleaned_data["breaks"])

    def clean_drawing(self):
        upload = self.cleaned_data.get("drawing")
        if upload:
            drawing_validate(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("item") and "item" not in self.errors:
            for name in ("description", "drawing_number"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, "Required for a custom part.")
        return cleaned


@dataclass
class LineForms:
    token: str
    form: LineForm
    rows: dict[str, list[tuple[str, RowForm]]] = field(default_factory=dict)
    remove_drawings: set[int] = field(default_factory=set)
    instance: QuoteLine | None = None  # the saved line (its drawings are listed)

    def used_rows(self, kind: str) -> list[RowForm]:
        """The rows of one kind that were filled in: an added row left empty is no row."""
        return [f for _t, f in self.rows[kind] if f.has_changed()]

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        for kind in KINDS:
            for f in self.used_rows(kind):
                valid = f.is_valid() and valid
        return valid


class QuoteEditForms:
    """The header form and every line with its rows, from POST data (in page order) or from a saved quote."""

    def __init__(self, *, data=None, files=None, quote: Quote | None = None):
        self.items = active_items()
        self.centers = active_work_centers()
        self.data, self.files = data, files
        self.header = QuoteForm(data, instance=quote if quote is not None else Quote())
        self.lines: list[LineForms] = []
        saved = {line.pk: line for line in quote.lines.all()} if quote is not None and quote.pk else {}
        if data is not None:
            self._from_data(saved)
        else:
            for line in saved.values():
                self.lines.append(self._from_line(line))
            if not self.lines:
                self.lines.append(self.empty_line())

    def row_form(self, kind: str, line_token: str, token: str, *, data=None, initial=None) -> RowForm:
        return row_form(kind, line_token, token, centers=self.centers, data=data, initial=initial)

    def line_form(self, token: str, *, data=None, files=None, initial=None) -> LineForm:
        return LineForm(data, files, prefix=f"line-{token}", initial=initial, items=self.items)

    def empty_line(self) -> LineForms:
        token = new_token()
        lf = LineForms(token, self.line_form(token))
        lf.rows = {kind: [] for kind in KINDS}
        lf.rows["op"].append((t := new_token(), self.row_form("op", token, t)))
        return lf

    def _from_line(self, line: QuoteLine) -> LineForms:
        token = new_token()
        initial = {"id": line.pk, "item": line.item_id, "description": line.description,
                   "drawing_number": line.drawing_number, "drawing_revision": line.drawing_revision,
                   "breaks": ", ".join(str(q) for q in line.break_quantities),
                   "markup_percent": line.markup_percent}  # fmt: skip
        lf = LineForms(token, self.line_form(token, initial=initial), instance=line)
        lf.rows = {
            "op": [self._saved_row("op", token, {"work_center": o.work_center_id, "description": o.description,
                                                 "setup_hours": o.setup_hours,
                                                 "run_hours_per_piece": o.run_hours_per_piece,
                                                 "setup_factor": o.setup_factor, "run_factor": o.run_factor,
                                                 "factor_source": o.factor_source})
                   for o in line.operations.all()],
            "mat": [self._saved_row("mat", token, {"description": m.description, "cost": m.cost, "basis": m.basis,
                                                   "scrap_percent": m.scrap_percent})
                    for m in line.materials.all()],
            "out": [self._saved_row("out", token, {"vendor_name": o.vendor_name, "description": o.description,
                                                   "cost": o.cost, "basis": o.basis, "lead_days": o.lead_days})
                    for o in line.outside_services.all()],
        }  # fmt: skip
        return lf

    def _saved_row(self, kind, line_token, initial):
        token = new_token()
        return token, self.row_form(kind, line_token, token, initial=initial)

    def _from_data(self, saved: dict[int, QuoteLine]) -> None:
        order: dict[str, dict[str, list[str]]] = {}
        for key in [*self.data.keys(), *(self.files or {}).keys()]:
            match = _KEY.match(key)
            if not match:
                continue
            line_token, kind, row_token = match.groups()
            rows = order.setdefault(line_token, {k: [] for k in KINDS})
            if kind and row_token not in rows[kind]:
                rows[kind].append(row_token)
        for line_token, rows in order.items():
            form = self.line_form(line_token, data=self.data, files=self.files)
            raw_id = self.data.get(f"line-{line_token}-id", "")
            lf = LineForms(line_token, form, instance=saved.get(int(raw_id)) if raw_id.isdigit() else None)
            lf.rows = {kind: [(t, self.row_form(kind, line_token, t, data=self.data)) for t in tokens]
                       for kind, tokens in rows.items()}  # fmt: skip
            lf.remove_drawings = {
                int(v) for v in self.data.getlist(f"line-{line_token}-remove_drawing") if v.isdigit()
            }
            self.lines.append(lf)

    def is_valid(self) -> bool:
        valid = self.header.is_valid()
        for lf in self.lines:
            valid = lf.is_valid() and valid
        if not self.lines:
            self.header.add_error(None, "A quote needs at least one line.")
            valid = False
        return valid

    @property
    def error_count(self) -> int:
        count = len(self.header.errors)
        for lf in self.lines:
            count += len(lf.form.errors) + sum(len(f.errors) for kind in KINDS for f in lf.used_rows(kind))
        return count

    # --- what the services and the pricing read ---------------------------------------------------------

    def header_fields(self) -> dict:
        data = self.header.cleaned_data
        fields = {name: data.get(name) for name in self.header.Meta.fields}
        for name in ("prospect_name", "prospect_email", "contact_name", "contact_email", "rfq_reference", "notes"):
            fields[name] = fields[name] or ""
        if fields["customer"] is not None:
            fields["prospect_name"] = fields["prospect_email"] = ""
        if fields["lead_time_days"] is None:
            del fields["lead_time_days"]
        return fields

    @staticmethod
    def _row_dicts(lf: LineForms, kind: str) -> list[dict]:
        rows = []
        for f in lf.used_rows(kind):
            row = dict(f.cleaned_data)
            if kind == "mat" and row.get("scrap_percent") is None:
                row["scrap_percent"] = Decimal("0")
            if kind == "out" and row.get("lead_days") is None:
                row["lead_days"] = 0
            rows.append(row)
        return rows

    def estimates(self) -> list[tuple[LineForms, LineEstimate | None]]:
        """Each line's estimate as unsaved rows for the pricing (quotes.selectors.quote_pricing), or None for a
        line that cannot be priced yet (its own fields have errors); rows with errors are left out."""
        out = []
        for n, lf in enumerate(self.lines, start=1):
            if not lf.form.is_valid():
                out.append((lf, None))
                continue
            data = lf.form.cleaned_data
            line = QuoteLine(line_no=n, item=data.get("item"), description=data.get("description") or "",
                             drawing_number=data.get("drawing_number") or "",
                             markup_percent=data.get("markup_percent"))  # fmt: skip
            valid = {kind: [f for f in lf.used_rows(kind) if f.is_valid()] for kind in KINDS}
            ops = [EstimateOperation(sequence=i * 10, **f.cleaned_data) for i, f in enumerate(valid["op"], 1)]
            mats = [EstimateMaterial(**{**f.cleaned_data, "scrap_percent": f.cleaned_data["scrap_percent"] or 0})
                    for f in valid["mat"]]  # fmt: skip
            outs = [EstimateOutside(**{**f.cleaned_data, "lead_days": f.cleaned_data["lead_days"] or 0})
                    for f in valid["out"]]  # fmt: skip
            breaks = [QuantityBreak(quantity=q) for q in data["breaks"]]
            out.append((lf, LineEstimate(line, breaks, ops, mats, outs)))
        return out

    def line_dicts(self) -> list[dict]:
        """The lines as quote_create / quote_update take them."""
        lines = []
        for lf in self.lines:
            data = lf.form.cleaned_data
            line = {name: data.get(name) for name in ("item", "description", "drawing_number", "drawing_revision",
                                                      "markup_percent", "breaks")}  # fmt: skip
            for name in ("description", "drawing_number", "drawing_revision"):
                line[name] = line[name] or ""
            line.update({KINDS[kind]: self._row_dicts(lf, kind) for kind in KINDS})
            if lf.instance is not None:
                line["id"] = lf.instance.pk
                line["remove_drawings"] = sorted(lf.remove_drawings)
            if data.get("drawing"):
                line["drawings"] = [data["drawing"]]
            lines.append(line)
        return lines
