"""The form renderer of settings.FORM_RENDERER: Django's own widget templates from its Jinja2 engine.

Django ships every widget, form and error-list template twice, as Django templates and as Jinja2 templates
that print the same HTML (apart from blank lines between a select's options). Jinja2 compiles a template to
Python, where the Django engine walks nodes and resolves each variable through its lookups: a list page's five
filter fields printed 1.5-2.8 ms faster (docs/performance.md, round nine). Templates that exist only as Django
templates (the admin's widgets, an app's own) come from Django's engine, as with Django's default renderer.
The pages themselves stay Django templates: this only prints the fields Django's forms print.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self):
        self._jinja2 = Jinja2()
        self._django = DjangoTemplates()
        self._chosen = {}  # template name -> the renderer that has it (a name's home never changes in a process)

    def get_template(self, template_name):
        known = self._chosen.get(template_name)
        if known is not None:
            return known.get_template(template_name)
        try:
            template, self._chosen[template_name] = self._jinja2.get_template(template_name), self._jinja2
        except TemplateDoesNotExist:
            template, self._chosen[template_name] = self._django.get_template(template_name), self._django
        return template
