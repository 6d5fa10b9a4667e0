"""A shop with ten years of history, for benchmarks: bulk inserts, repeatable with --seed, with progress.

Rows are written with bulk_create, not through the services: the services' per-order checks and locks are
what the benchmarks measure, and going through them for 100,000 orders would take hours. The rows are
consistent with what the services would have made (statuses, numbers, produced and shipped quantities).
"""

import datetime
import random
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from jobs.demo import seed_shop_floor
from jobs.models import Job, JobStatusChange, Operation, RoutingStep, TimeEntry, WorkCenter
from mto.demo import seed_users
from mto.models import DocumentSequence
from sales.models import Customer, Item, SalesOrder, SalesOrderLine, SalesOrderStatusChange, ShipToAddress
from shipping.models import Shipment, ShipmentLine

S = SalesOrder.Status
# Most history is closed; the last months hold the open work.
OLD_STATUSES = [(S.CLOSED, 90), (S.CANCELLED, 6), (S.SHIPPED, 4)]
RECENT_STATUSES = [(S.DRAFT, 8), (S.PENDING_APPROVAL, 8), (S.APPROVED, 14), (S.IN_PRODUCTION, 30),
                   (S.PARTIALLY_SHIPPED, 15), (S.SHIPPED, 10), (S.CLOSED, 10), (S.CANCELLED, 5)]  # fmt: skip
PRODUCED = {S.IN_PRODUCTION, S.PARTIALLY_SHIPPED, S.SHIPPED, S.CLOSED}
WITH_JOBS = PRODUCED | {S.APPROVED}


def _pick(rng, weighted):
    return rng.choices([s for s, _ in weighted], weights=[w for _, w in weighted])[0]


class Command(BaseCommand):
    help = "Bulk-load a large, realistic shop (default 100,000 orders over ten years) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=100_000)
        parser.add_argument("--customers", type=int, default=None, help="default: orders / 50")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--batch", type=int, default=1000, help="orders per transaction")

    def handle(self, *args, orders, customers, seed, batch, **options):
        rng = random.Random(seed)
        started = timezone.now()
        users = seed_users()
        self.user = users["office"]
        customers = self._customers(rng, customers or max(orders // 50, 10))
        items = self._items(rng)
        seed_shop_floor()
        self.centers = {c.pk: c for c in WorkCenter.objects.all()}
        self.routings = {}
        for step in RoutingStep.objects.order_by("item_id", "sequence"):
            self.routings.setdefault(step.item_id, []).append(step)
        so_next = DocumentSequence.objects.get_or_create(name="SO")[0].last_value + 1
        sh_next = DocumentSequence.objects.get_or_create(name="SH")[0].last_value + 1
        today = timezone.localdate()
        with tqdm(total=orders, desc="Orders", unit="order", file=self.stdout) as progress:
            for start in range(0, orders, batch):
                size = min(batch, orders - start)
                with transaction.atomic():
                    sh_next = self._batch(rng, size, so_next + start, sh_next, customers, items, today, orders, start)
                    DocumentSequence.objects.filter(name="SO").update(last_value=so_next + start + size - 1)
                    DocumentSequence.objects.filter(name="SH").update(last_value=sh_next - 1)
                progress.update(size)
        if connection.vendor == "postgresql":
            # VACUUM cannot run inside a transaction (as in the tests); ANALYZE alone can.
            statement = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            self.stdout.write(f"{statement} ...")
            with connection.cursor() as cursor:
                cursor.execute(statement)
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(self.style.SUCCESS(f"seed_scale: {orders:,} orders in {seconds:,.1f} s"))

    @staticmethod
    def _at(day, offset_days):
        """A time in the history: noon of a day near the order's dates, never in the future."""
        moment = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=offset_days),
                                                               datetime.time(12)))  # fmt: skip
        return min(moment, timezone.now())

    def _customers(self, rng, count):
        existing = list(Customer.objects.filter(code__startswith="SC"))
        new = [
            Customer(
                code=f"SC{n:05d}",
                name=f"Scale Customer {n:05d}",
                email=f"buyer{n}@scale.example.com",
                billing_address=f"{n} Industrial Way",
            )  # fmt: skip
            for n in range(len(existing), count)
        ]
        Customer.objects.bulk_create(new, batch_size=1000)
        customers = list(Customer.objects.filter(code__startswith="SC").order_by("id"))
        have = set(ShipToAddress.objects.filter(customer__in=customers).values_list("customer_id", flat=True))
        ShipToAddress.objects.bulk_create(
            [ShipToAddress(customer=c, label="Main", address=c.billing_address, is_default=True)
             for c in customers if c.pk not in have], batch_size=1000,
        )  # fmt: skip
        self.ship_tos = dict(ShipToAddress.objects.filter(customer__in=customers).values_list("customer_id", "id"))
        return customers

    def _items(self, rng):
        Item.objects.bulk_create(
            [Item(part_number=f"SP-{n:04d}", revision="A", description=f"Scale part {n}",
                  unit_price=Decimal(rng.randint(200, 90000)) / 100) for n in range(200)],
            ignore_conflicts=True,
        )  # fmt: skip
        return list(Item.objects.filter(part_number__startswith="SP-"))

    def _batch(self, rng, size, first_number, sh_next, customers, items, today, total, offset):
        orders, statuses = [], []
        for i in range(size):
            # Spread evenly over ten years, oldest first; the last ~2% are the open recent work.
            age = int((1 - (offset + i) / total) * 3650)
            state = _pick(rng, RECENT_STATUSES if age < 60 else OLD_STATUSES)
            customer = rng.choice(customers)
            order_date = today - datetime.timedelta(days=age)
            orders.append(SalesOrder(
                number=f"SO-{first_number + i:06d}", customer=customer, customer_po=f"PO-{rng.randint(1000, 999999)}",
                ship_to_id=self.ship_tos.get(customer.pk), order_date=order_date,
                requested_date=order_date + datetime.timedelta(days=30),
                promised_date=order_date + datetime.timedelta(days=rng.randint(21, 45)),
                status=state, created_by=self.user,
            ))  # fmt: skip
            statuses.append(state)
        SalesOrder.objects.bulk_create(orders)
        changes = SalesOrderStatusChange.objects.bulk_create(
            [SalesOrderStatusChange(order=o, from_status="", to_status=o.status, changed_by=self.user) for o in orders]
        )
        # auto_now_add stamped them now; history happened when the orders did (shipped two days before promise).
        for change, order in zip(changes, orders, strict=True):
            change.changed_at = self._at(order.promised_date if order.status in PRODUCED else order.order_date, -2)
        SalesOrderStatusChange.objects.bulk_update(changes, ["changed_at"], batch_size=1000)
        lines = []
        for order in orders:
            for n in range(1, rng.randint(1, 8) + 1):
                item = rng.choice(items)
                quantity = rng.choice([1, 2, 5, 10, 20, 50, 100])
                shipped = quantity if order.status in (S.SHIPPED, S.CLOSED) else (
                    quantity // 2 if order.status == S.PARTIALLY_SHIPPED else 0)  # fmt: skip
                lines.append(SalesOrderLine(
                    order=order, line_no=n, item=item, quantity=quantity, unit_price=item.unit_price,
                    due_date=order.promised_date - datetime.timedelta(days=3), quantity_shipped=shipped,
                ))  # fmt: skip
        SalesOrderLine.objects.bulk_create(lines)
        jobs, job_lines = [], []
        for line in lines:
            order = line.order
            if order.status not in WITH_JOBS:
                continue
            produced = order.status in PRODUCED
            complete = order.status in (S.SHIPPED, S.CLOSED) or (produced and rng.random() < 0.5)
            state = Job.Status.COMPLETE if complete else (Job.Status.IN_PROGRESS if produced else Job.Status.RELEASED)
            jobs.append(Job(
                number=f"J-{order.number_digits}-{line.line_no:02d}", sales_order=order, sales_order_line=line,
                part_number=line.item.part_number, part_revision="A", description=line.item.description,
                quantity=line.quantity, due_date=line.due_date, priority=rng.randint(1, 5), status=state,
                quantity_completed=line.quantity if complete else line.quantity_shipped,
                started_at=self._at(order.order_date, 2) if produced else None,
                completed_at=self._at(order.promised_date, -5) if complete else None,
            ))  # fmt: skip
            job_lines.append(line)
        Job.objects.bulk_create(jobs)
        JobStatusChange.objects.bulk_create(
            [JobStatusChange(job=j, from_status="", to_status=j.status, changed_by=self.user) for j in jobs]
        )
        operations = []
        for job, line in zip(jobs, job_lines, strict=True):
            steps = self.routings.get(line.item_id) or []
            finished = len(steps) if job.status == Job.Status.COMPLETE else (
                rng.randint(0, len(steps) - 1) if job.status == Job.Status.IN_PROGRESS else 0)  # fmt: skip
            for index, step in enumerate(steps):
                done = index < finished
                operations.append(Operation(
                    job=job, sequence=step.sequence, work_center_id=step.work_center_id,
                    description=step.description, setup_hours=step.setup_hours,
                    run_hours_per_piece=step.run_hours_per_piece,
                    status=Operation.Status.DONE if done else Operation.Status.PENDING,
                    good_qty=job.quantity if done else 0,
                ))  # fmt: skip
        Operation.objects.bulk_create(operations, batch_size=5000)
        now = timezone.now()
        entries = []
        for op in operations:
            if op.status == Operation.Status.DONE:
                hours = float(op.setup_hours + op.run_hours_per_piece * op.good_qty) * rng.uniform(0.7, 1.4)
                start = now - datetime.timedelta(hours=hours + rng.uniform(1, 2000))
                entries.append(TimeEntry(operation=op, started_at=start, stopped_at=start + datetime.timedelta(
                    hours=hours), good_qty=op.good_qty, by=self.user,
                    hourly_rate=self.centers[op.work_center_id].hourly_rate))  # fmt: skip
        TimeEntry.objects.bulk_create(entries, batch_size=5000)
        shipments, shipment_lines = [], []
        by_order: dict[int, list] = {}
        for line in lines:
            if line.quantity_shipped:
                by_order.setdefault(line.order_id, []).append(line)
        for order in orders:
            if order.pk not in by_order:
                continue
            shipment = Shipment(
                number=f"SH-{sh_next:06d}", order=order, ship_to="Main", carrier="UPS", service="Ground",
                tracking_number=f"1Z{sh_next:010d}", status=Shipment.Status.SHIPPED, created_by=self.user,
                shipped_by=self.user, shipped_at=self._at(order.promised_date, -2),
            )  # fmt: skip
            sh_next += 1
            shipments.append(shipment)
            shipment_lines += [(shipment, line) for line in by_order[order.pk]]
        Shipment.objects.bulk_create(shipments)
        ShipmentLine.objects.bulk_create(
            [ShipmentLine(shipment=s, order_line=line, quantity=line.quantity_shipped) for s, line in shipment_lines]
        )
        return sh_next
