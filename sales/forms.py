from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone

from .models import MAX_PIECES, Customer, Item, SalesOrder, SalesOrderLine, ShipToAddress
from .services import drawing_validate


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["code", "name", "email", "phone", "billing_address", "is_active"]
        widgets = {"billing_address": forms.Textarea(attrs={"rows": 3})}


class ShipToForm(forms.ModelForm):
    class Meta:
        model = ShipToAddress
        fields = ["label", "address", "is_default"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = ["part_number", "revision", "description", "unit_price", "is_active"]
        widgets = {"unit_price": forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"})}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class SalesOrderForm(forms.ModelForm):
    class Meta:
        model = SalesOrder
        fields = ["customer", "customer_po", "ship_to", "order_date", "requested_date", "promised_date", "notes"]
        widgets = {
            "order_date": DateInput(),
            "requested_date": DateInput(),
            "promised_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(is_active=True).order_by("name")
        self.fields["customer"].empty_label = "Choose a customer"
        # Only the chosen customer's addresses (the page reloads them when the customer changes).
        customer_id = (
            self.data.get("customer") if self.is_bound else (self.initial.get("customer") or self.instance.customer_id)
        )
        self.fields["ship_to"].queryset = ShipToAddress.objects.filter(
            customer_id=customer_id if str(customer_id or "").isdigit() else None
        ).order_by("-is_default", "label")
        self.fields["ship_to"].empty_label = "Customer's default address"
        self.fields["customer"].widget.attrs.update(
            {"hx-get": reverse_lazy("sales:customer-ship-tos"), "hx-target": "#id_ship_to", "hx-trigger": "change"}
        )
        self.fields["order_date"].required = False
        self.fields["order_date"].help_text = "Today when left empty."

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("order_date") and "order_date" not in self.errors:
            cleaned["order_date"] = self.instance.order_date or timezone.localdate()
        customer, ship_to = cleaned.get("customer"), cleaned.get("ship_to")
        if customer and ship_to and ship_to.customer_id != customer.pk:
            self.add_error("ship_to", "This ship-to address belongs to another customer.")
        return cleaned


class ItemChoiceField(forms.ModelChoiceField):
    """An item select whose options and lookups come from one dict the formset loads once.

    A plain ModelChoiceField queries the items for every line it renders and validates, so an order of
    forty lines would cost forty queries; the formset hands each line form the same `items` instead.
    """

    items: dict[int, Item] | None = None

    def use_items(self, items: dict[int, Item]):
        self.items = items
        self.choices = [("", self.empty_label), *((pk, str(item)) for pk, item in items.items())]

    def to_python(self, value):
        if self.items is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self.items[int(value)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


def active_items() -> dict[int, Item]:
    return {item.pk: item for item in Item.objects.filter(is_active=True).order_by("part_number", "revision")}


class SalesOrderLineForm(forms.ModelForm):
    quantity = forms.IntegerField(
        min_value=1, max_value=10_000_000, widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"})
    )
    drawing = forms.FileField(
        required=False,
        label="Drawing",
        help_text="PDF, PNG or JPEG.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )

    class Meta:
        model = SalesOrderLine
        fields = ["item", "description", "drawing_number", "drawing_revision", "quantity", "unit_price", "due_date"]
        field_classes = {"item": ItemChoiceField}
        widgets = {
            "due_date": DateInput(),
            "unit_price": forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
        }

    def __init__(self, *args, items: dict[int, Item] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(is_active=True).order_by("part_number", "revision")
        self.fields["item"].empty_label = "Custom part (from drawing)"
        self.fields["item"].required = False
        if items is not None:
            self.fields["item"].use_items(items)
        self.fields["unit_price"].required = False
        self.fields["unit_price"].help_text = "Catalogue price when empty."

    def clean_drawing(self):
        upload = self.cleaned_data.get("drawing")
        if upload:
            drawing_validate(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("DELETE"):
            return cleaned
        if not cleaned.get("item"):
            for name in ("description", "drawing_number"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, "Required for a custom part.")
            if cleaned.get("unit_price") is None and "unit_price" not in self.errors:
                self.add_error("unit_price", "A custom part needs a price.")
        return cleaned

    def validate_unique(self):
        """Line numbers are the service's business; the order is not set yet here."""


class BaseLineFormSet(forms.BaseInlineFormSet):
    """The lines of one order; the active items are read once for every line (and the empty template)."""

    def __init__(self, *args, queryset=None, **kwargs):
        if queryset is None:
            queryset = SalesOrderLine.objects.select_related("item").prefetch_related("drawings")
        super().__init__(*args, queryset=queryset, **kwargs)
        self.items = active_items()

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "items": self.items}

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        live = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not live:
            raise ValidationError("An order needs at least one line.")


SalesOrderLineFormSet = forms.inlineformset_factory(
    SalesOrder,
    SalesOrderLine,
    form=SalesOrderLineForm,
    formset=BaseLineFormSet,
    extra=0,
    min_num=1,
    can_delete=True,
)


class TransitionForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ChangeItemForm(forms.Form):
    """One change of a change request; the fields shown are those its kind needs."""

    FIELDS = {
        "quantity": ("quantity",),
        "due_date": ("date",),
        "revision": ("drawing_revision", "item", "drawing"),
        "cancel_line": (),
        "add_line": (
            "item",
            "description",
            "drawing_number",
            "drawing_revision",
            "drawing",
            "quantity",
            "unit_price",
            "date",
        ),  # fmt: skip
        "promised_date": ("date",),
        "ship_to": ("ship_to",),
    }

    quantity = forms.IntegerField(label="New quantity", min_value=1, max_value=MAX_PIECES)
    date = forms.DateField(label="New date", widget=DateInput())
    item = forms.ModelChoiceField(queryset=Item.objects.none(), required=False)
    description = forms.CharField(max_length=255, required=False)
    drawing_number = forms.CharField(label="Customer drawing number", max_length=60, required=False)
    drawing_revision = forms.CharField(label="New drawing revision", max_length=10, required=False)
    unit_price = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="Empty: the item's price."
    )
    ship_to = forms.ModelChoiceField(queryset=ShipToAddress.objects.none(), label="New ship-to address")
    drawing = forms.FileField(
        required=False,
        label="Drawing",
        help_text="The customer's drawing of this revision: PDF, PNG or JPEG. The floor sees it once approved.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )
    reason = forms.CharField(
        max_length=300, help_text="Why the customer changes this, e.g. their e-mail of 12 May.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args, kind: str, order: SalesOrder, line: SalesOrderLine | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        keep = [*self.FIELDS[kind], "reason"]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.order_fields(keep)
        if kind == "revision":
            if line.item_id:
                del self.fields["drawing_revision"]
                self.fields["item"].queryset = Item.objects.filter(
                    part_number=line.item.part_number, is_active=True
                ).exclude(pk=line.item_id)
                self.fields["item"].label = f"New revision of {line.item.part_number}"
                self.fields["item"].required = True
                if not self.fields["item"].queryset.exists():
                    self.fields["item"].help_text = (
                        f"No other revision of {line.item.part_number} is in the catalogue yet: add it under Items "
                        "(same part number, the new revision), then come back."
                    )
            else:
                del self.fields["item"]
                self.fields["drawing_revision"].required = True
        elif kind == "add_line":
            self.fields["item"].queryset = Item.objects.filter(is_active=True).order_by("part_number", "revision")
            self.fields["item"].label = "Standard item"
            self.fields["item"].help_text = "Or leave empty and describe a custom part by the customer's drawing."
            self.fields["drawing_revision"].label = "Drawing revision"
            self.fields["quantity"].label = "Quantity"
            self.fields["date"].label = "Due date"
        elif kind == "ship_to":
            self.fields["ship_to"].queryset = ShipToAddress.objects.filter(customer_id=order.customer_id).exclude(
                pk=order.ship_to_id
            )
        if kind == "promised_date":
            self.fields["date"].label = "New promised date"
        if kind == "due_date":
            self.fields["date"].label = "New due date"
        if kind == "revision" and line.item_id:
            del self.fields["drawing"]  # a catalogue item's drawings belong to the item, not the order

    def clean_drawing(self):
        upload = self.cleaned_data.get("drawing")
        if upload:
            drawing_validate(upload)
        return upload
