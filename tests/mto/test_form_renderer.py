"""mto.form_renderer: the apps' forms print the same HTML through Django's Jinja2 widget templates as through its
Django templates (the same elements, attributes and text, as assertHTMLEqual compares them: Jinja2 writes an
apostrophe &#39;, Django &#x27;, and leaves blank lines between options), bound with errors too; what exists only
as a Django template still prints."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test.html import parse_html

from jobs import forms as job_forms
from mto.form_renderer import FormRenderer
from planning import forms as planning_forms
from purchasing import forms as purchasing_forms
from quality import forms as quality_forms
from quotes import forms as quote_forms
from sales import forms as sales_forms
from sales.filters import SalesOrderListFilter
from shipping import forms as shipping_forms

# Forms that take no required arguments: every widget the apps use is among their fields (text, number, date,
# select, multiple choice, checkbox, textarea, file, hidden).
FORMS = [
    sales_forms.CustomerForm, sales_forms.ItemForm, sales_forms.SalesOrderForm, sales_forms.TransitionForm,
    job_forms.ReportPiecesForm, job_forms.HoldForm, job_forms.NoteForm,
    job_forms.ManualJobForm, job_forms.WorkCenterForm, shipping_forms.ReasonForm, quote_forms.QuoteForm,
    purchasing_forms.VendorForm, purchasing_forms.PurchaseOrderForm, purchasing_forms.ReceiptForm,
    purchasing_forms.ShipOutForm, purchasing_forms.IssueFromStockForm, quality_forms.CharacteristicForm,
    quality_forms.NcrOpenForm, quality_forms.DispositionForm, planning_forms.HolidayForm,
    planning_forms.PromiseDateForm,
]  # fmt: skip


def _printed(form, renderer) -> str:
    form.renderer = renderer
    for field in form.fields.values():
        field.widget.renderer = renderer  # nothing sets one; the form's renderer is what a widget is given
    return form.render()


def test_the_project_s_renderer_is_settings_form_renderer():
    assert isinstance(get_default_renderer(), FormRenderer)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f"{f.__module__.split('.')[0]}.{f.__name__}")
def test_a_form_prints_the_same_through_either_engine(db, form_class):
    blank, bound = form_class(), form_class(data={"unknown": "x"})  # bound: refused where a field is required
    for form in (blank, bound):
        ours, django_s = _printed(form, FormRenderer()), _printed(form, DjangoTemplates())
        assert parse_html(ours) == parse_html(django_s)
        assert "<input" in ours or "<select" in ours or "<textarea" in ours


def test_the_order_list_filters_print_the_same(db):
    form = SalesOrderListFilter(data={"q": "SO-1", "status": "draft", "date_from": "x"}).form
    assert form.errors  # the date refused: its error list prints too
    ours = _printed(form, FormRenderer())
    assert parse_html(ours) == parse_html(_printed(form, DjangoTemplates()))
    assert '<option value="draft" selected>' in ours


def test_a_template_only_django_has_comes_from_django_s_engine():
    renderer = FormRenderer()
    admin_only = "admin/widgets/related_widget_wrapper.html"
    assert renderer.get_template(admin_only).template.origin.name.endswith(admin_only)
    assert type(renderer.get_template("django/forms/widgets/select.html")).__module__.startswith(
        "django.template.backends.jinja2"
    )
    with pytest.raises(Exception, match="nowhere.html"):
        renderer.get_template("nowhere.html")


def test_a_custom_widget_template_of_django_s_engine_still_prints():
    class Stars(forms.TextInput):
        template_name = "admin/widgets/url.html"  # a Django-only template, as an app's own widget would be

    html = Stars().render("rating", "https://example.com/", renderer=FormRenderer())
    assert 'name="rating"' in html and "https://example.com/" in html
