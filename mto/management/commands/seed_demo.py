"""Demo data for every role: users, customers, items, work centers and orders in every state.

It lives in the platform's management commands because it composes every app: like the URL
configuration and settings it is part of the composition root, the one place allowed to import all apps
(the layers run mto -> sales -> jobs -> shipping otherwise). Everything goes through the services, so
the demo obeys the same rules as real use. Idempotent:
each demo order is keyed by its PO number and made once.
"""

import logging
import random

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from mto.demo import DEMO_PASSWORD, DEMO_USERS, seed_users
from mto.models import Notification
from planning.demo import seed_planning
from purchasing.demo import seed_purchasing
from quality.demo import pass_first_articles, seed_quality
from quotes.demo import seed_quotes
from sales import demo as sales_demo
from sales import services as sales_services

# (PO number, final state, days ago, has a custom line)
DEMO_ORDERS = [
    ("DEMO-1001", "draft", 1, True),
    ("DEMO-1002", "draft", 2, False),
    ("DEMO-1003", "pending_approval", 2, True),
    ("DEMO-1004", "pending_approval", 3, False),
    ("DEMO-1005", "rejected", 6, False),
    ("DEMO-1006", "approved", 4, True),
    ("DEMO-1007", "approved", 5, False),
    ("DEMO-1008", "in_production", 12, False),
    ("DEMO-1009", "in_production", 15, True),
    ("DEMO-1010", "partially_shipped", 25, False),
    ("DEMO-1011", "shipped", 35, False),
    ("DEMO-1012", "closed", 60, False),
    ("DEMO-1013", "cancelled", 20, False),
    ("DEMO-1014", "changed", 18, True),
    ("DEMO-1015", "change_pending", 9, False),
]


class Command(BaseCommand):
    help = "Create demo users, customers, items, work centers and orders in every state (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7, help="random seed for the demo orders")

    def handle(self, *args, **options):
        # Without REDIS_URL the e-mails are sent in this process, and Celery logs each task at INFO (about
        # 50 lines); failures still show, at ERROR.
        trace = logging.getLogger("celery.app.trace")
        level = trace.level
        trace.setLevel(logging.WARNING)
        try:
            self._seed(**options)
        finally:
            trace.setLevel(level)

    def _seed(self, *, seed, **options):
        rng = random.Random(seed)
        mails_before = Notification.objects.filter(channel=Notification.Channel.EMAIL).count()
        self.stdout.write("Demo users ...")
        users = seed_users()
        self.stdout.write("Customers and items ...")
        customers, items = sales_demo.seed_customers_and_items()
        self._seed_shop_floor()
        created = 0
        for po, state, days_ago, custom in tqdm(DEMO_ORDERS, desc="Demo orders", unit="order", file=self.stdout):
            with transaction.atomic():
                order, is_new = sales_demo.demo_order(
                    po=po,
                    customers=customers,
                    items=items,
                    office=users["office"],
                    rng=rng,
                    days_ago=days_ago,
                    custom=custom,
                )
                if is_new:
                    self._drive(order, state, users)
                    created += 1
        self.stdout.write("Quotes ...")
        quotes = seed_quotes(users=users, customers=customers)
        self.stdout.write("Purchasing ...")
        with transaction.atomic():
            seed_purchasing(users=users)
        self.stdout.write("Quality ...")
        with transaction.atomic():
            seed_quality(users=users)
        self.stdout.write("Calendars and a schedule ...")
        seed_planning(users=users)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {created} new orders, {quotes} new quotes. Log in as "
                f"{', '.join(user[0] for user in DEMO_USERS)} with the password {DEMO_PASSWORD!r} (demo only)."
            )
        )
        mails = Notification.objects.filter(channel=Notification.Channel.EMAIL).count() - mails_before
        if mails:
            self.stdout.write(f"The demo's {mails} notification e-mails: {self._where_mail_goes()}")

    @staticmethod
    def _where_mail_goes() -> str:
        """One line about the demo's e-mails instead of the messages themselves (about 1,500 lines)."""
        backend = settings.EMAIL_BACKEND
        if backend == "django.core.mail.backends.filebased.EmailBackend":
            return f"go to files in {settings.EMAIL_FILE_PATH}"
        if backend == "django.core.mail.backends.smtp.EmailBackend":
            return f"sent through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
        return f"handed to {backend}"

    def _seed_shop_floor(self):
        try:
            from jobs.demo import seed_shop_floor
        except ImportError:
            return
        self.stdout.write("Work centers and routings ...")
        seed_shop_floor(stdout=self.stdout)

    def _drive(self, order, state, users):
        office, manager = users["office"], users["manager"]
        if state == "draft":
            return
        sales_services.sales_order_submit(order=order, by=office)
        if state == "pending_approval":
            return
        if state == "rejected":
            sales_services.sales_order_reject(order=order, by=manager, reason="Customer to confirm the revision.")
            return
        if state == "cancelled":
            sales_services.sales_order_cancel(order=order, by=office, reason="Customer placed it twice.")
            return
        sales_services.sales_order_approve(order=order, by=manager)
        if state == "approved":
            return
        if state == "change_pending":
            self._change(order, users, approve=False)
            return
        # The floor runs the jobs: their first articles (a new revision's) are recorded and accepted first.
        from jobs.models import Job

        pass_first_articles(jobs=list(Job.objects.filter(sales_order=order)), users=users)
        if state == "changed":
            self._drive_floor_and_shipping(order, "in_production", users)
            self._change(order, users, approve=True)
            return
        self._drive_floor_and_shipping(order, state, users)

    def _change(self, order, users, *, approve: bool):
        """A customer's change after approval: more pieces on line 1, a later due date on the last line, a new
        drawing revision of a custom line (its started job goes on hold); pending, or approved (revision 1)."""
        import datetime

        office = users["office"]
        lines = list(order.lines.order_by("line_no"))
        change = sales_services.change_request_open(order=order, by=office)
        first, last = lines[0], lines[-1]
        add = sales_services.change_item_add
        add(change_request=change, kind="quantity", line=first, quantity=first.quantity + 5,
            reason="Customer PO amendment: five more", by=office)  # fmt: skip
        if last.pk != first.pk:
            add(change_request=change, kind="due_date", line=last, date=last.due_date + datetime.timedelta(days=7),
                reason="Customer's line stop moved a week", by=office)  # fmt: skip
        custom = next((line for line in lines if line.item_id is None), None)
        if custom is not None and custom.pk != first.pk:
            add(change_request=change, kind="revision", line=custom, drawing_revision="C",
                reason="Drawing revision C received by e-mail", by=office)  # fmt: skip
        if not approve:
            add(change_request=change, kind="promised_date", date=(order.promised_date or order.order_date)
                + datetime.timedelta(days=5), reason="Customer asked for a later delivery", by=office)  # fmt: skip
        sales_services.change_request_submit(change_request=change, by=office)
        if approve:
            sales_services.change_request_approve(change_request=change, by=users["manager"], note="Price agreed")

    def _drive_floor_and_shipping(self, order, state, users):
        """Run the order's jobs on the floor: partly for in-production orders, fully for shipped ones."""
        from jobs.models import Job
        from jobs.services import operation_act, operation_report_pieces

        lead = users["lead"]
        finish_all = state != "in_production"
        for index, job in enumerate(Job.objects.filter(sales_order=order).order_by("id")):
            operations = list(job.operations.order_by("sequence"))
            steps = operations if finish_all else operations[: 1 + index % 2]
            for op in steps:
                operation_act(operation=op, action="start", by=lead)
                good = self._pieces_reaching(op, job)
                if good:
                    operation_report_pieces(operation=op, good=good, by=lead)
                if finish_all or op is not steps[-1]:
                    operation_act(operation=op, action="finish", by=lead, short=True)
        self._backdate_time_entries(order)
        self._ship(order, state, users)

    def _backdate_time_entries(self, order):
        """The demo ran its operations in milliseconds; give each time entry a plausible duration (80-130 %
        of its estimate: the setup's, or the run hours of the pieces it reported) ending by now, so the
        estimated-against-actual figures look like a real shop's. The jobs' completions stored their accuracy
        samples from the milliseconds (a median of 0.00, "ran -100% over"): they are worked out again."""
        import datetime

        from django.utils import timezone

        from jobs.models import Job, TimeEntry
        from quotes.models import AccuracySample
        from quotes.services import accuracy_samples_record

        rng = random.Random(order.pk)
        now = timezone.now()
        for entry in TimeEntry.objects.filter(operation__job__sales_order=order).select_related("operation"):
            op = entry.operation
            # By the floor's convention an entry with no pieces was setup, one with pieces ran them.
            pieces = entry.good_qty + entry.scrap_qty
            estimate = op.run_hours_per_piece * pieces if pieces else op.setup_hours
            hours = float(estimate or 0) * rng.uniform(0.8, 1.3) or 0.05
            entry.started_at = now - datetime.timedelta(hours=hours + rng.uniform(1, 48))
            entry.stopped_at = entry.started_at + datetime.timedelta(hours=hours) if entry.stopped_at else None
            entry.save(update_fields=["started_at", "stopped_at"])
        AccuracySample.objects.filter(operation__job__sales_order=order).delete()
        accuracy_samples_record(job_ids=list(Job.objects.filter(sales_order=order).values_list("pk", flat=True)))

    @staticmethod
    def _pieces_reaching(op, job) -> int:
        previous = job.operations.filter(sequence__lt=op.sequence).order_by("-sequence").first()
        return job.quantity if previous is None else previous.good_qty

    def _ship(self, order, state, users):
        """Partially shipped: half of each line; shipped and closed: everything, in two shipments."""
        from shipping.selectors import order_lines_to_ship
        from shipping.services import shipment_create, shipment_transition

        if state == "in_production":
            return
        clerk = users["clerk"]
        first = {line.pk: max(line.available // 2, 1) for line in order_lines_to_ship(order=order)}
        rounds = [first] if state == "partially_shipped" else [first, None]
        for number, wanted in enumerate(rounds, start=1):
            if wanted is None:
                wanted = {line.pk: line.available for line in order_lines_to_ship(order=order) if line.available}
            shipment = shipment_create(
                order=order, lines=wanted, by=clerk, carrier="UPS", service="Ground",
                tracking_number=f"1Z{order.number_digits}{number:04d}", packages=number, weight_kg=12 * number,
            )  # fmt: skip
            shipment_transition(shipment=shipment, name="ship", by=clerk)
        if state == "closed":
            sales_services.sales_order_close(order=order, by=users["office"])
