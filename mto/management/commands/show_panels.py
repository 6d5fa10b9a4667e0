"""List every page panel: which page, in what order, from which app's function, with which template."""

from django.core.management.base import BaseCommand

from mto import panels


class Command(BaseCommand):
    help = "List the page panels apps registered (mto/panels.py): page, order, name, visible to, context, template."

    def add_arguments(self, parser):
        parser.add_argument("--page", choices=sorted(panels.PAGES), help="Only this page's panels.")

    def handle(self, *args, page=None, **options):
        for name, description in panels.PAGES.items():
            if page and name != page:
                continue
            self.stdout.write(f"{name}: {description}")
            for panel in panels.panels_for(name):
                visible = getattr(panel.visible, "__qualname__", repr(panel.visible))
                self.stdout.write(
                    f"  {panel.order:>4}  {panel.name:<28} {visible:<32} {panel.source}  [{panel.template}]"
                )
