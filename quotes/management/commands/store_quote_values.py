"""Store the sent and accepted values of quotes sent before MTO stored them (quotes 0005), so the hit-rate
report reads them instead of pricing every line. Safe to run again: it fills only what is missing."""

from django.core.management.base import BaseCommand
from django.db.models import Q
from tqdm import tqdm

from quotes.models import Quote
from quotes.services import quote_values_store


class Command(BaseCommand):
    help = "Store the values of sent quotes that have none (priced from their estimates at today's rates)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="quotes per transaction")

    def handle(self, *args, batch, **options):
        missing = Q(sent_value__isnull=True) | Q(status=Quote.Status.ACCEPTED, accepted_value__isnull=True)
        todo = Quote.objects.filter(missing, sent_at__isnull=False).count()
        with tqdm(total=todo, desc="Quote values", unit="quote", file=self.stdout) as progress:
            filled = quote_values_store(batch=batch, progress=progress.update)
        self.stdout.write(f"Stored the values of {filled} quotes.")
