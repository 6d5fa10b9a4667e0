"""Django's template engine, rendering values as the shop's one locale shows them without asking the locale.

Django localizes every number, date and time a template prints (`{{ line.quantity }}`): for each one it asks the
active language (an asgiref local) and three format settings, then runs the number formatter. A 50-line order
page printed some 500 values that way, 10-20 % of its rendering. MTO runs in one locale (settings.LANGUAGE_CODE
"en-us", no per-user language, no thousands separator by default), where a plain value prints the same: an int
or a stored Decimal as str() shows it, a date by settings.DATE_FORMAT (the en locale's own format). So contexts
are made with localization off, as `{% localize off %}` would do on every template.

What differs is only what Python itself writes in scientific notation (Decimal("1E+1") from normalize(), a float
under 1e-4 such as 1e-05): format such values on purpose (`:f`, floatformat, mto_format.money), as the code does.
tests/mto/test_template_engine.py holds the printed values to Django's localized ones.
A second language would mean switching this off (settings.TEMPLATES' BACKEND back to Django's)."""

from django.template import TemplateDoesNotExist
from django.template.backends.django import DjangoTemplates, Template, reraise
from django.template.context import make_context


class _Template(Template):
    def render(self, context=None, request=None):
        context = make_context(context, request, autoescape=self.backend.engine.autoescape, use_l10n=False)
        try:
            return self.template.render(context)
        except TemplateDoesNotExist as exc:
            reraise(exc, self.backend)


class Templates(DjangoTemplates):
    def from_string(self, template_code):
        return _Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return _Template(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)
