"""A shop with years of history (ten by default), for benchmarks: bulk inserts, repeatable with --seed, with progress.

Rows are written in bulk (COPY on PostgreSQL, see _Rows), not through the services: the services' per-order
checks and locks are what the benchmarks measure, and going through them for 100,000 orders would take hours.
The rows are consistent with what the services would have made (statuses, numbers, produced and shipped
quantities).
"""

import contextlib
import datetime
import itertools
import random
import time
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import FileField, Max
from django.db.models.base import ModelState
from django.utils import timezone
from tqdm import tqdm

from jobs.demo import seed_shop_floor
from jobs.models import Job, JobStatusChange, Operation, RoutingStep, TimeEntry, WorkCenter
from mto.demo import seed_users
from mto.models import DocumentSequence
from purchasing.models import (
    MaterialRequirement,
    OutsideOperation,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatusChange,
    Receipt,
    ShipOut,
    Unit,
    Vendor,
    VendorReturn,
)
from purchasing.services.common import receive_limit_for
from quotes.models import (
    AccuracySample,
    EstimateMaterial,
    EstimateOperation,
    EstimateOutside,
    QuantityBreak,
    Quote,
    QuoteAcceptance,
    QuoteLine,
    QuoteStatusChange,
)
from quotes.selectors import operation_actuals
from quotes.services import quote_values_store
from sales.models import Customer, Item, SalesOrder, SalesOrderLine, SalesOrderStatusChange, ShipToAddress
from shipping.models import Shipment, ShipmentLine

S = SalesOrder.Status
# Most history is closed; the last months hold the open work.
OLD_STATUSES = [(S.CLOSED, 90), (S.CANCELLED, 6), (S.SHIPPED, 4)]
RECENT_STATUSES = [(S.DRAFT, 8), (S.PENDING_APPROVAL, 8), (S.APPROVED, 14), (S.IN_PRODUCTION, 30),
                   (S.PARTIALLY_SHIPPED, 15), (S.SHIPPED, 10), (S.CLOSED, 10), (S.CANCELLED, 5)]  # fmt: skip
PRODUCED = {S.IN_PRODUCTION, S.PARTIALLY_SHIPPED, S.SHIPPED, S.CLOSED}
WITH_JOBS = PRODUCED | {S.APPROVED}
QS = Quote.Status
# Quotes: one per ~10 orders. The old ones are decided; the last two months hold drafts and open quotes.
# Won quotes are the orders they became (an order from a quote is one that went past approval).
OLD_QUOTES = [(QS.ACCEPTED, 30), (QS.DECLINED, 35), (QS.EXPIRED, 25), (QS.REVISED, 10)]
RECENT_QUOTES = [(QS.DRAFT, 25), (QS.SENT, 35), (QS.ACCEPTED, 20), (QS.DECLINED, 15), (QS.REVISED, 5)]
WON = {S.APPROVED} | PRODUCED
BREAKS = [1, 5, 10, 25, 50, 100, 250, 500]
REASONS = [r for r, _ in Quote.DeclineReason.choices]

# Purchasing: an outside step (plating) on some jobs' routings, material bought for one job in three (one in
# two of the jobs whose material may still be open), and each job's material on one PO of its own.
OUTSIDE_SHARE = 0.25
PS = PurchaseOrder.Status
# What an open job's material is at (cycled, so even a small run has each): no PO yet, or a PO in each open
# status, or issued from stock, or all in.
OPEN_MATERIAL = ["none", PS.DRAFT, PS.SENT, PS.PARTIALLY_RECEIVED, PS.CANCELLED, "stock", PS.RECEIVED]
MATERIALS = [("4140 bar 60 mm", Unit.METRE, "22.00"), ("6061 plate 12 mm", Unit.SHEET, "45.00"),
             ("1018 flat 50x10", Unit.BAR, "18.50"), ("304 tube 40x2", Unit.METRE, "31.00"),
             ("A36 plate 10 mm", Unit.KILOGRAM, "1.90"), ("Brass hex 24 mm", Unit.BAR, "64.00")]  # fmt: skip
PROCESSES = ["zinc plating", "anodize", "heat treat", "black oxide", "passivate", "grinding"]


@contextlib.contextmanager
def _history_stamps(model, name):
    """Let the rows be written with a given time in an auto_now_add field (when it happened in the history): one
    write instead of an INSERT and a bulk_update (whose CASE over the whole batch is evaluated per row)."""
    field = model._meta.get_field(name)
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


class _New:
    """Model instances made without Model.__init__ (half of this command's time went into it: its per-field
    loop over args, kwargs and defaults, and the related-object descriptors): the fields' defaults, then the
    given values; a related object given by name sets its id and the cache, as the descriptor does. No model
    of the seeded apps overrides __init__ or listens to pre_init/post_init, so the instances are the same."""

    def __init__(self):
        self.plans = {}

    def _plan(self, model):
        fixed, called, relations = {}, [], {}
        for field in model._meta.concrete_fields:
            if field.has_default() and callable(field.default):
                called.append((field.attname, field.default))
            else:
                fixed[field.attname] = field.get_default()
            if field.is_relation:
                relations[field.name] = field
        self.plans[model] = plan = (fixed, called, relations)
        return plan

    def __call__(self, model, **values):
        fixed, called, relations = self.plans.get(model) or self._plan(model)
        obj = model.__new__(model)
        obj._state = ModelState()
        data = obj.__dict__
        data.update(fixed)
        for attname, default in called:
            data[attname] = default()
        for name, value in values.items():
            field = relations.get(name)
            if field is None:
                data[name] = value
            else:
                data[field.attname] = None if value is None else value.pk
                obj._state.fields_cache[name] = value
        return obj


_new = _New()


class _Rows:
    """Writes model instances as bulk_create would (the same columns, ids from the table's own sequence, the
    auto_now stamps, foreign keys read off the related objects), but through PostgreSQL's COPY: one stream per
    batch of a table, no SQL to compile per value and nothing returned. Ids can be taken before the rows are
    written (`allocate`), so a row that points at another one (a job at its order line) is complete before
    either is written, and nothing is written twice (the INSERT then UPDATE that setting a figure after the
    insert needed). The tables keep every index and constraint: COPY checks them as INSERT does (the foreign
    keys, deferred, at commit). Other databases (SQLite in a quick test run) get bulk_create with the ids set."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.plans = {}
        self.next_id = {}  # not PostgreSQL: the next free id per table (this command is its only writer)

    def _plan(self, model):
        plan = self.plans.get(model)
        if plan is None:
            meta = model._meta
            fields = [f for f in meta.concrete_fields if not f.generated]
            quote = connection.ops.quote_name
            sequence = None
            if self.postgres and getattr(meta.pk, "db_returning", False):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
                    sequence = cursor.fetchone()[0]
            plan = self.plans[model] = SimpleNamespace(
                attnames=[f.attname for f in fields],
                stamped=[f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)],
                files=[f for f in fields if isinstance(f, FileField)],
                related=[f for f in fields if f.is_relation],
                auto_pk=getattr(meta.pk, "db_returning", False),
                sequence=sequence,
                copy=f"COPY {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN",
            )
        return plan

    def allocate(self, model, objs):
        """Give the objects without an id the next ids of their table, in order (as an INSERT would)."""
        plan = self._plan(model)
        todo = [obj for obj in objs if obj.pk is None]
        if not todo or not plan.auto_pk:
            return
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [plan.sequence, len(todo)])
                ids = sorted(row[0] for row in cursor.fetchall())
        else:
            if model not in self.next_id:
                self.next_id[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
            first = self.next_id[model]
            ids = range(first, first + len(todo))
            self.next_id[model] = first + len(todo)
        for obj, pk in zip(todo, ids, strict=True):
            obj.pk = pk

    def insert(self, model, objs):
        objs = list(objs)
        if not objs:
            return objs
        plan = self._plan(model)
        self.allocate(model, objs)
        for obj in objs:
            for field in plan.related:  # what bulk_create's _prepare_related_fields_for_save does
                if getattr(obj, field.attname) is None and field.is_cached(obj):
                    related = field.get_cached_value(obj)
                    if related is not None:
                        setattr(obj, field.attname, related.pk)
            for field in plan.stamped:
                field.pre_save(obj, add=True)
            obj._state.adding, obj._state.db = False, "default"
        if not self.postgres:
            model.objects.bulk_create(objs, batch_size=500)
            return objs
        attnames, files = plan.attnames, {f.attname for f in plan.files}
        with connection.cursor() as cursor, cursor.copy(plan.copy) as copy:
            write = copy.write_row
            if files:
                for obj in objs:
                    write([(str(v) if v is not None else None) if a in files else v
                           for a, v in ((a, getattr(obj, a)) for a in attnames)])  # fmt: skip
            else:
                for obj in objs:
                    write([getattr(obj, a) for a in attnames])
        return objs


def _pick(rng, weighted):
    return rng.choices([s for s, _ in weighted], weights=[w for _, w in weighted])[0]


class Command(BaseCommand):
    help = "Bulk-load a large, realistic shop (default 100,000 orders over ten years) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=100_000)
        parser.add_argument("--customers", type=int, default=None, help="default: orders / 50")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--batch", type=int, default=1000, help="orders per transaction")
        parser.add_argument("--orders-per-quote", type=int, default=10, help="0: no quotes")
        parser.add_argument(
            "--years", type=int, default=10,
            help="years the orders spread over; the open work is the last 60 days' orders, so the same orders "
                 "per year over more years is an older shop, not a busier one",
        )  # fmt: skip

    def handle(self, *args, orders, customers, seed, batch, orders_per_quote=10, years=10, **options):
        if years < 1:
            raise CommandError("--years must be at least 1.")
        rng = random.Random(seed)
        self.days = years * 365
        started = timezone.now()
        self.rows = _Rows()
        users = seed_users()
        self.user = users["office"]
        self.estimators = [users["office"], users["manager"]]
        first_order_id = (SalesOrder.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        customers = self._customers(rng, customers or max(orders // 50, 10))
        items = self._items(rng)
        seed_shop_floor()
        self.centers = {c.pk: c for c in WorkCenter.objects.filter(is_outside=False)}
        self._purchasing_setup(seed, users)
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
                    DocumentSequence.objects.filter(name="PO").update(last_value=self.po_next - 1)
                    DocumentSequence.objects.filter(name="VS").update(last_value=self.vs_next - 1)
                progress.update(size)
        if orders_per_quote:
            self._quotes(rng, first_order_id, orders_per_quote, batch, customers, items, today)
        if connection.vendor == "postgresql":
            # VACUUM cannot run inside a transaction (as in the tests); ANALYZE alone can.
            statement = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            self.stdout.write(f"{statement} ...")
            with connection.cursor() as cursor:
                cursor.execute(statement)
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(f"  purchasing rows: {self.purchasing_seconds:,.1f} s of it")
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
            # Spread evenly over the years, oldest first; the last 60 days' orders are the open recent work.
            age = int((1 - (offset + i) / total) * self.days)
            state = _pick(rng, RECENT_STATUSES if age < 60 else OLD_STATUSES)
            customer = rng.choice(customers)
            order_date = today - datetime.timedelta(days=age)
            orders.append(_new(SalesOrder,
                number=f"SO-{first_number + i:06d}", customer=customer, customer_po=f"PO-{rng.randint(1000, 999999)}",
                ship_to_id=self.ship_tos.get(customer.pk), order_date=order_date,
                requested_date=order_date + datetime.timedelta(days=30),
                promised_date=order_date + datetime.timedelta(days=rng.randint(21, 45)),
                status=state, created_by=self.user,
            ))  # fmt: skip
            statuses.append(state)
        insert = self.rows.insert
        insert(SalesOrder, orders)
        changes = [_new(SalesOrderStatusChange, order=o, from_status="", to_status=o.status, changed_by=self.user)
                   for o in orders]  # fmt: skip
        # History happened when the orders did (shipped two days before promise), not now.
        for change, order in zip(changes, orders, strict=True):
            change.changed_at = self._at(order.promised_date if order.status in PRODUCED else order.order_date, -2)
        with _history_stamps(SalesOrderStatusChange, "changed_at"):
            insert(SalesOrderStatusChange, changes)
        lines = []
        for order in orders:
            for n in range(1, rng.randint(1, 8) + 1):
                item = rng.choice(items)
                quantity = rng.choice([1, 2, 5, 10, 20, 50, 100])
                shipped = quantity if order.status in (S.SHIPPED, S.CLOSED) else (
                    quantity // 2 if order.status == S.PARTIALLY_SHIPPED else 0)  # fmt: skip
                lines.append(_new(SalesOrderLine,
                    order=order, line_no=n, item=item, quantity=quantity, unit_price=item.unit_price,
                    due_date=order.promised_date - datetime.timedelta(days=3), quantity_shipped=shipped,
                    quantity_produced=shipped,  # raised below to what its job completed
                ))  # fmt: skip
        # The lines' ids now, their rows once their jobs have said what they produced (one write, no UPDATE).
        self.rows.allocate(SalesOrderLine, lines)
        jobs, job_lines = [], []
        for line in lines:
            order = line.order
            if order.status not in WITH_JOBS:
                continue
            produced = order.status in PRODUCED
            complete = order.status in (S.SHIPPED, S.CLOSED) or (produced and rng.random() < 0.5)
            state = Job.Status.COMPLETE if complete else (Job.Status.IN_PROGRESS if produced else Job.Status.RELEASED)
            jobs.append(_new(Job,
                number=f"J-{order.number_digits}-{line.line_no:02d}", sales_order=order, sales_order_line=line,
                part_number=line.item.part_number, part_revision="A", description=line.item.description,
                quantity=line.quantity, due_date=line.due_date, priority=rng.randint(1, 5), status=state,
                quantity_completed=line.quantity if complete else line.quantity_shipped,
                started_at=self._at(order.order_date, 2) if produced else None,
                completed_at=self._at(order.promised_date, -5) if complete else None,
            ))  # fmt: skip
            job_lines.append(line)
        # The line's stored produced pieces, as the piece-report service keeps them (one job per line here).
        for line, job in zip(job_lines, jobs, strict=True):
            line.quantity_produced = job.quantity_completed
        insert(SalesOrderLine, lines)
        insert(Job, jobs)
        insert(
            JobStatusChange,
            [_new(JobStatusChange, job=j, from_status="", to_status=j.status, changed_by=self.user) for j in jobs],
        )
        operations = []
        job_plans = []  # (job, its operations, how many are done): what purchasing plans from
        for job, line in zip(jobs, job_lines, strict=True):
            steps = self.routings.get(line.item_id) or []
            if len(steps) >= 2 and self.prng.random() < OUTSIDE_SHARE:
                # An outside step (plating) before the last one (the final inspection, usually).
                steps = [*steps[:-1], self._plate_step(steps[-1].sequence - 5), steps[-1]]
            finished = len(steps) if job.status == Job.Status.COMPLETE else (
                rng.randint(0, len(steps) - 1) if job.status == Job.Status.IN_PROGRESS else 0)  # fmt: skip
            job_ops = []
            for index, step in enumerate(steps):
                done = index < finished
                job_ops.append(_new(Operation,
                    job=job, sequence=step.sequence, work_center_id=step.work_center_id,
                    description=step.description, setup_hours=step.setup_hours,
                    run_hours_per_piece=step.run_hours_per_piece,
                    status=Operation.Status.DONE if done else Operation.Status.PENDING,
                    good_qty=job.quantity if done else 0,
                ))  # fmt: skip
            operations += job_ops
            job_plans.append((job, job_ops, finished))
        clock = time.perf_counter()
        plan = self._purchasing_plan(job_plans)  # sets the operations' material_ready and vendor counters
        self.purchasing_seconds += time.perf_counter() - clock
        insert(Operation, operations)
        clock = time.perf_counter()
        self._purchasing_rows(plan)
        self.purchasing_seconds += time.perf_counter() - clock
        now = timezone.now()
        entries = []
        recent = now - datetime.timedelta(days=settings.QUOTE_ACCURACY_DAYS)
        jobs_by_id = {j.pk: j for j in jobs}
        for op in operations:
            if op.status == Operation.Status.DONE and op.work_center_id != self.plate.pk:
                rate = self.centers[op.work_center_id].hourly_rate
                job = jobs_by_id[op.job_id]
                if job.completed_at and job.completed_at >= recent and op.setup_hours:
                    # Jobs the estimate-accuracy figures read: a setup entry (no pieces), then the run.
                    setup = float(op.setup_hours) * rng.uniform(0.7, 1.6)
                    run = float(op.run_hours_per_piece * op.good_qty) * rng.uniform(0.8, 1.3)
                    start = job.completed_at - datetime.timedelta(hours=setup + run + rng.uniform(1, 200))
                    middle = start + datetime.timedelta(hours=setup)
                    entries.append(_new(TimeEntry, operation=op, started_at=start, stopped_at=middle, good_qty=0,
                                             by=self.user, hourly_rate=rate))  # fmt: skip
                    entries.append(_new(TimeEntry, operation=op, started_at=middle,
                                        stopped_at=middle + datetime.timedelta(hours=run), good_qty=op.good_qty,
                                        by=self.user, hourly_rate=rate))  # fmt: skip
                    continue
                hours = float(op.setup_hours + op.run_hours_per_piece * op.good_qty) * rng.uniform(0.7, 1.4)
                start = now - datetime.timedelta(hours=hours + rng.uniform(1, 2000))
                entries.append(_new(TimeEntry, operation=op, started_at=start, stopped_at=start + datetime.timedelta(
                    hours=hours), good_qty=op.good_qty, by=self.user, hourly_rate=rate))  # fmt: skip
        insert(TimeEntry, entries)
        # What each job's completion would have written: its operations' estimate-accuracy samples.
        complete = [job.pk for job in jobs if job.status == Job.Status.COMPLETE]
        for start in range(0, len(complete), 2000):
            # The rows quotes.services.accuracy_samples_record writes (from the same selector), written as the
            # rest are: its bulk_create with ignore_conflicts was a fifth of this command's time.
            insert(AccuracySample, [
                _new(AccuracySample, operation_id=op, work_center_id=wc, completed_at=at, setup_ratio=setup,
                     run_ratio=run)
                for op, wc, at, setup, run in operation_actuals(complete[start : start + 2000])
                if setup is not None or run is not None
            ])  # fmt: skip
        shipments, shipment_lines = [], []
        by_order: dict[int, list] = {}
        for line in lines:
            if line.quantity_shipped:
                by_order.setdefault(line.order_id, []).append(line)
        for order in orders:
            if order.pk not in by_order:
                continue
            shipment = _new(Shipment,
                number=f"SH-{sh_next:06d}", order=order, ship_to="Main", carrier="UPS", service="Ground",
                tracking_number=f"1Z{sh_next:010d}", status=Shipment.Status.SHIPPED, created_by=self.user,
                shipped_by=self.user, shipped_at=self._at(order.promised_date, -2),
            )  # fmt: skip
            sh_next += 1
            shipments.append(shipment)
            shipment_lines += [(shipment, line) for line in by_order[order.pk]]
        insert(Shipment, shipments)
        insert(
            ShipmentLine,
            [
                _new(ShipmentLine, shipment=s, order_line=line, quantity=line.quantity_shipped)
                for s, line in shipment_lines
            ],
        )
        return sh_next

    # --- quotes -------------------------------------------------------------------------------------------

    def _quotes(self, rng, first_order_id, every, batch, customers, items, today):
        """One quote per `every` orders of this run, in every status, with lines, breaks and an estimate;
        the accepted ones are linked to the order (and its lines) they became."""
        order_rows = list(SalesOrder.objects.filter(id__gte=first_order_id).order_by("id")
                          .values_list("id", "customer_id", "status", "order_date")[::every])  # fmt: skip
        q_next = DocumentSequence.objects.get_or_create(name="Q")[0].last_value + 1
        before = Quote.objects.aggregate(last=Max("id"))["last"] or 0
        chunk = max(batch // 2, 100)
        with tqdm(total=len(order_rows), desc="Quotes", unit="quote", file=self.stdout) as progress:
            for start in range(0, len(order_rows), chunk):
                rows = order_rows[start : start + chunk]
                with transaction.atomic():
                    q_next = self._quote_batch(rng, rows, q_next, customers, items, today,
                                               newest=len(order_rows) - start)  # fmt: skip
                    DocumentSequence.objects.filter(name="Q").update(last_value=q_next - 1)
                progress.update(len(rows))
        # The values the send and accept services store, worked out by the same code from the rows written.
        made = Quote.objects.filter(id__gt=before)
        with tqdm(total=made.filter(sent_at__isnull=False).count(), desc="Quote values", unit="quote",
                  file=self.stdout) as progress:  # fmt: skip
            quote_values_store(quotes=made, batch=chunk, progress=progress.update)

    def _quote_batch(self, rng, rows, q_next, customers, items, today, newest):
        """`newest`: how many quotes of the run from this batch's first to the last. The newest two of a run
        are a draft and an open quote, so even a small run has every status."""
        order_lines: dict[int, list] = {}
        won_ids = [r[0] for r in rows if r[2] in WON]
        for line in SalesOrderLine.objects.filter(order_id__in=won_ids).select_related("item").order_by("line_no"):
            order_lines.setdefault(line.order_id, []).append(line)
        quotes, plans = [], []  # plans: (quote, [(line dict)], order_id or None)
        for index, (order_id, customer_id, order_status, order_date) in enumerate(rows):
            age = (today - order_date).days
            state = _pick(rng, RECENT_QUOTES if age < 60 else OLD_QUOTES)
            state = {1: QS.DRAFT, 2: QS.SENT}.get(newest - index, state)
            if state == QS.ACCEPTED and order_status not in WON:
                state = QS.DECLINED
            created = self._at(order_date, -rng.randint(3, 30))
            sent = None if state == QS.DRAFT else min(created + datetime.timedelta(hours=rng.uniform(2, 240)),
                                                       timezone.now())  # fmt: skip
            valid = (sent or created).date() + datetime.timedelta(days=30)
            if state == QS.SENT and valid < today:
                valid = today + datetime.timedelta(days=rng.randint(1, 30))
            prospect = rng.random() < 0.1 and state != QS.ACCEPTED
            quote = _new(Quote,
                number=f"Q-{q_next:06d}", customer_id=None if prospect else customer_id,
                prospect_name=f"Prospect {q_next}" if prospect else "",
                prospect_email=f"rfq{q_next}@prospect.example.com" if prospect else "",
                contact_name="Buyer", contact_email=f"buyer{q_next}@scale.example.com",
                rfq_reference=f"RFQ-{rng.randint(1000, 99999)}", valid_until=valid,
                lead_time_days=rng.choice([14, 21, 28, 35]), markup_percent=Decimal(rng.choice([20, 25, 30, 35])),
                status=state, estimator=rng.choice(self.estimators), sent_at=sent, created_by=self.user,
                decline_reason=rng.choice(REASONS) if state == QS.DECLINED else "",
            )  # fmt: skip
            q_next += 1
            linked = order_lines.get(order_id) if state == QS.ACCEPTED else None
            if linked:
                lines = [{"item": ol.item, "order_line": ol, "chosen": ol.quantity} for ol in linked]
            else:
                lines = []
                for n in range(rng.randint(1, 4)):
                    if rng.random() < 0.5:
                        lines.append({"item": rng.choice(items)})
                    else:
                        lines.append({"description": f"Custom part {quote.number}-{n + 1}",
                                      "drawing": f"SD-{rng.randint(10000, 99999)}"})  # fmt: skip
            quotes.append(quote)
            plans.append((quote, lines, order_id if linked else None))
        insert, allocate = self.rows.insert, self.rows.allocate
        allocate(Quote, quotes)  # the revisions point at them; all are written once their times are known
        # A revised quote has its next revision (rev 2, previous = rev 1), which carries a final outcome.
        revisions = []
        for quote, lines, _ in list(plans):
            if quote.status == QS.REVISED:
                rev2 = _new(Quote,
                    number=quote.number, revision=2, previous=quote, customer_id=quote.customer_id,
                    prospect_name=quote.prospect_name, prospect_email=quote.prospect_email,
                    contact_name=quote.contact_name, contact_email=quote.contact_email,
                    rfq_reference=quote.rfq_reference, valid_until=quote.valid_until + datetime.timedelta(days=7),
                    lead_time_days=quote.lead_time_days, markup_percent=quote.markup_percent - 5,
                    status=rng.choice([QS.DECLINED, QS.EXPIRED]), estimator=quote.estimator,
                    sent_at=min(quote.sent_at + datetime.timedelta(days=rng.randint(1, 7)), timezone.now()),
                    created_by=self.user, decline_reason="",
                )  # fmt: skip
                if rev2.status == QS.DECLINED:
                    rev2.decline_reason = rng.choice(REASONS)
                revisions.append(rev2)
                plans.append((rev2, [dict(line) for line in lines], None))
        allocate(Quote, revisions)
        everything = quotes + revisions
        # They were made before their orders (or their sending), not now.
        for quote in everything:
            quote.created_at = (quote.sent_at - datetime.timedelta(hours=rng.uniform(1, 120))) if quote.sent_at \
                else self._at(quote.valid_until, -30)  # fmt: skip
        with _history_stamps(Quote, "created_at"):
            insert(Quote, everything)
        insert(
            QuoteStatusChange,
            [
                _new(QuoteStatusChange, quote=q, from_status="", to_status=q.status, changed_by=self.user)
                for q in everything
            ],
        )
        line_objs, line_plans = [], []
        for quote, lines, _ in plans:
            for n, plan in enumerate(lines, start=1):
                item = plan.get("item")
                line_objs.append(_new(QuoteLine,
                    quote=quote, line_no=n, item=item, description="" if item else plan["description"],
                    drawing_number="" if item else plan["drawing"], drawing_revision="" if item else "A",
                    sales_order_line=plan.get("order_line") if quote.revision == 1 else None,
                ))  # fmt: skip
                line_plans.append(plan)
        allocate(QuoteLine, line_objs)  # written with their chosen break, below
        breaks, chosen = [], []
        operations, materials, outside = [], [], []
        for line, plan in zip(line_objs, line_plans, strict=True):
            quantities = set(rng.sample(BREAKS, 4 if rng.random() < 0.7 else rng.randint(1, 3)))
            if plan.get("chosen"):
                quantities.add(plan["chosen"])
            for q in sorted(quantities):
                b = _new(QuantityBreak, line=line, quantity=q)
                breaks.append(b)
                if plan.get("chosen") == q and line.sales_order_line_id:
                    chosen.append((line, b))
            steps = self.routings.get(line.item_id) if line.item_id else None
            if steps:
                ops = [(st.work_center_id, st.description, st.setup_hours, st.run_hours_per_piece) for st in steps]
            else:
                centers = rng.sample(list(self.centers), min(len(self.centers), rng.randint(1, 3)))
                ops = [(wc, "Machine", Decimal(rng.randint(25, 300)) / 100, Decimal(rng.randint(10, 500)) / 1000)
                       for wc in centers]  # fmt: skip
            for seq, (wc, desc, setup, run) in enumerate(ops, start=1):
                operations.append(_new(EstimateOperation, line=line, sequence=seq * 10, work_center_id=wc,
                                                    description=desc, setup_hours=setup,
                                                    run_hours_per_piece=run))  # fmt: skip
            materials.append(_new(EstimateMaterial, line=line, description="Bar stock", basis="piece",
                                              cost=Decimal(rng.randint(50, 5000)) / 100,
                                              scrap_percent=Decimal(rng.choice([0, 3, 5]))))  # fmt: skip
            if rng.random() < 0.3:
                outside.append(_new(EstimateOutside, line=line, vendor_name="Plating Co", description="Zinc plate",
                                               cost=Decimal(rng.randint(5000, 30000)) / 100, basis="lot",
                                               lead_days=rng.choice([3, 5, 7])))  # fmt: skip
        allocate(QuantityBreak, breaks)
        for line, b in chosen:
            line.chosen_break = b
        insert(QuoteLine, line_objs)
        insert(QuantityBreak, breaks)
        insert(EstimateOperation, operations)
        insert(EstimateMaterial, materials)
        insert(EstimateOutside, outside)
        acceptances = [_new(QuoteAcceptance, quote=q, sales_order_id=order_id, accepted_by=self.user)
                       for q, _, order_id in plans if order_id]  # fmt: skip
        for acceptance in acceptances:
            acceptance.accepted_at = min(acceptance.quote.sent_at + datetime.timedelta(days=2), timezone.now())
        with _history_stamps(QuoteAcceptance, "accepted_at"):
            insert(QuoteAcceptance, acceptances)
        return q_next

    # --- purchasing ---------------------------------------------------------------------------------------

    def _purchasing_setup(self, seed, users):
        """Fifty vendors (material suppliers and outside processors), the outside plating work center, and the
        counters the batches carry on (PO and vendor packing slip numbers)."""
        self.prng = random.Random(seed + 18)  # its own stream: the orders, jobs and quotes stay as they were
        self.purchasing_seconds = 0.0
        self.buyer = users.get("buyer", self.user)
        have = Vendor.objects.filter(code__startswith="SV").count()
        Vendor.objects.bulk_create([
            Vendor(code=f"SV{n:03d}", name=f"Scale {'Metals' if n < 30 else 'Finishing'} {n:03d}",
                   email=f"orders{n}@vendor{n}.example.com", contact_name="Sales desk", address=f"{n} Mill Road",
                   lead_days=self.prng.choice([3, 5, 7, 10]), supplies_material=n < 30, is_approved=n % 10 != 9,
                   processes="" if n < 30 else ", ".join(self.prng.sample(PROCESSES, 2)))
            for n in range(have, 50)
        ])  # fmt: skip
        vendors = list(Vendor.objects.filter(code__startswith="SV").order_by("code"))
        self.suppliers = [v for v in vendors if v.supplies_material and v.is_approved]
        self.processors = [v for v in vendors if v.processes and v.is_approved]
        self.plate, _ = WorkCenter.objects.get_or_create(
            code="PLATE", defaults={"name": "Zinc plating (outside)", "hourly_rate": Decimal("0"), "is_outside": True}
        )
        self.po_next = DocumentSequence.objects.get_or_create(name="PO")[0].last_value + 1
        self.vs_next = DocumentSequence.objects.get_or_create(name="VS")[0].last_value + 1
        self.open_material = itertools.cycle(OPEN_MATERIAL)
        self.pending_outside = itertools.cycle(["none", PS.DRAFT, PS.SENT])
        self.job_n = 0
        self.closed_before = timezone.now() - datetime.timedelta(days=60)

    def _plate_step(self, sequence):
        return SimpleNamespace(sequence=sequence, work_center_id=self.plate.pk, description="Zinc plate (outside)",
                               setup_hours=Decimal("0"), run_hours_per_piece=Decimal("0"))  # fmt: skip

    def _done_status(self, job):
        """The status of a PO whose goods are all in: closed once the job is long complete, else received."""
        return PS.CLOSED if job.completed_at and job.completed_at < self.closed_before else PS.RECEIVED

    def _purchasing_plan(self, job_plans):
        """Decide, before the operations are written, what each job buys and where its outside pieces are; set
        the operations' fields that follow (material_ready, pieces_at_vendor, an outside step under way)."""
        rng, materials, outside = self.prng, [], []
        for job, ops, finished in job_plans:
            self.job_n += 1
            if not ops:
                continue
            # Material is consumed by the first operation: once that one has started, it was all in.
            may_be_open = finished == 0 and job.status != Job.Status.COMPLETE
            if self.job_n % 3 == 0 or (may_be_open and self.job_n % 2 == 0):
                if may_be_open:
                    state = next(self.open_material)
                else:
                    state = "stock" if self.job_n % 15 == 0 else self._done_status(job)
                vendor = rng.choice(self.suppliers)
                reqs = []
                for _ in range(rng.choice([1, 1, 2])):
                    description, unit, price = rng.choice(MATERIALS)
                    quantity = Decimal(rng.randint(20, 800) if unit == Unit.KILOGRAM else rng.randint(1, 40))
                    estimate = (quantity * Decimal(price)).quantize(Decimal("0.01"))
                    req = _new(MaterialRequirement, job=job, description=description, quantity=quantity, unit=unit,
                                              estimated_cost=estimate, vendor=vendor,
                                              created_by=self.buyer)  # fmt: skip
                    req.price = Decimal(price)
                    if state == "stock":
                        req.source = MaterialRequirement.Source.STOCK
                        req.stock_cost, req.issued_by = estimate, self.buyer
                        req.issued_at = self._at(job.due_date, -25)
                    reqs.append(req)
                if state not in ("stock", PS.RECEIVED, PS.CLOSED):
                    ops[0].material_ready = False
                materials.append((job, state, vendor, reqs))
            for index, op in enumerate(ops):
                if op.work_center_id != self.plate.pk:
                    continue
                qty, good, rejected, sent = job.quantity, 0, 0, 0
                if op.status == Operation.Status.DONE:
                    sent, good, state = qty, qty, self._done_status(job)
                elif job.status == Job.Status.IN_PROGRESS and index == finished:
                    # At the vendor now: all pieces out, sometimes some back (one of them rejected).
                    sent, back = qty, rng.choice([0, qty // 2])
                    rejected = 1 if back >= 4 else 0
                    good = back - rejected
                    op.status, op.started_at = Operation.Status.RUNNING, self._at(job.due_date, -12)
                    op.good_qty, op.scrap_qty, op.pieces_at_vendor = good, rejected, qty - back
                    state = PS.PARTIALLY_RECEIVED if back else PS.SENT
                else:
                    state = next(self.pending_outside)
                outside.append((job, op, rng.choice(self.processors), sent, good, rejected, state))
        return {"materials": materials, "outside": outside}

    def _new_po(self, vendor, state, job, pos):
        po = _new(PurchaseOrder,
            number=f"PO-{self.po_next:06d}", vendor=vendor, status=state, created_by=self.buyer,
            cancel_reason="Vendor could not make the date" if state == PS.CANCELLED else "",
            sent_at=None if state == PS.DRAFT else self._at(job.due_date, -27),
        )  # fmt: skip
        po.when = self._at(job.due_date, -28)
        self.po_next += 1
        pos.append(po)
        return po

    def _purchasing_rows(self, plan):
        """Write what _purchasing_plan decided: requirements, outside operations, POs and their lines, receipts
        (with heat numbers), ship-outs and returns, every counter equal to the rows it counts."""
        rng = self.prng
        pos, lines, receipts = [], [], []  # receipts: (po line, quantity, lot, when)
        for job, state, vendor, reqs in plan["materials"]:
            if state in ("none", "stock"):
                continue
            if state in (PS.RECEIVED, PS.CLOSED) and self.prng.random() < 0.12:
                # An earlier order for it was cancelled; the requirement went on this one.
                cancelled = self._new_po(vendor, PS.CANCELLED, job, pos)
                for n, req in enumerate(reqs, start=1):
                    lines.append((_new(PurchaseOrderLine, purchase_order=cancelled, line_no=n,
                                       description=req.description, quantity=req.quantity, unit=req.unit,
                                       unit_cost=req.price, due_date=job.due_date - datetime.timedelta(days=20),
                                       receive_limit=receive_limit_for(req.quantity), is_cancelled=True),
                                  req))  # fmt: skip
            po = self._new_po(vendor, state, job, pos)
            for n, req in enumerate(reqs, start=1):
                if state in (PS.RECEIVED, PS.CLOSED):
                    received = req.quantity
                elif state == PS.PARTIALLY_RECEIVED and n == 1:
                    received = (req.quantity / 2).quantize(Decimal("0.001"))
                else:
                    received = Decimal("0")
                req.quantity_received = received
                line = _new(PurchaseOrderLine,
                    purchase_order=po, line_no=n, description=req.description, quantity=req.quantity, unit=req.unit,
                    unit_cost=req.price, due_date=job.due_date - datetime.timedelta(days=20),
                    quantity_received=received, receive_limit=receive_limit_for(req.quantity),
                    is_cancelled=state == PS.CANCELLED,
                )  # fmt: skip
                lines.append((line, req))
                if received:
                    parts = (
                        [received]
                        if received < 2 or rng.random() < 0.6
                        else [(received / 2).quantize(Decimal("1")), received - (received / 2).quantize(Decimal("1"))]
                    )
                    for k, part in enumerate(parts):
                        receipts.append((line, part, f"HT-{rng.randint(10000, 99999)}",
                                         self._at(job.due_date, -27 + vendor.lead_days + 2 * k)))  # fmt: skip
        insert = self.rows.insert
        insert(MaterialRequirement, [req for _, _, _, reqs in plan["materials"] for req in reqs])
        for line, req in lines:
            line.requirement = req
        outside_rows, outside_lines, shipments, returns = [], [], [], []
        for job, op, vendor, sent, good, rejected, state in plan["outside"]:
            cost = Decimal(rng.randint(40, 400)) * max(1, job.quantity // 10)
            row = _new(OutsideOperation, operation=op, vendor=vendor, lead_days=vendor.lead_days, estimated_cost=cost,
                                   pieces_sent=sent, pieces_back_good=good, pieces_rejected=rejected)  # fmt: skip
            outside_rows.append(row)
            line = None
            if state != "none":
                po = self._new_po(vendor, state, job, pos)
                line = _new(PurchaseOrderLine,
                    purchase_order=po, line_no=1, outside_operation=row, description=f"{op.description}: {job.number}",
                    quantity=Decimal(job.quantity), unit=Unit.PIECE,
                    unit_cost=(cost / job.quantity).quantize(Decimal("0.01")), due_date=job.due_date
                    - datetime.timedelta(days=8), quantity_received=Decimal(good + rejected),
                    receive_limit=receive_limit_for(Decimal(job.quantity)),
                )  # fmt: skip
                outside_lines.append(line)
            if sent:
                shipments.append(_new(ShipOut, number=f"VS-{self.vs_next:06d}", outside_operation=row, po_line=line,
                                         quantity=sent, carrier="Own van", shipped_by=self.user))  # fmt: skip
                shipments[-1].when = self._at(job.due_date, -14)
                self.vs_next += 1
            if good or rejected:
                returns.append(_new(VendorReturn, outside_operation=row, good=good, rejected=rejected,
                                    received_by=self.user, lot_number=f"VL-{rng.randint(1000, 9999)}"))  # fmt: skip
                returns[-1].when = self._at(job.due_date, -14 + vendor.lead_days)
        insert(OutsideOperation, outside_rows)
        for po in pos:
            po.created_at = po.when
        with _history_stamps(PurchaseOrder, "created_at"):
            insert(PurchaseOrder, pos)
        insert(PurchaseOrderStatusChange,
               [_new(PurchaseOrderStatusChange, purchase_order=po, from_status="", to_status=po.status,
                     changed_by=self.buyer, reason=po.cancel_reason) for po in pos])  # fmt: skip
        insert(PurchaseOrderLine, [line for line, _ in lines] + outside_lines)
        made = [_new(Receipt, po_line=line, quantity=q, lot_number=lot, received_by=self.buyer, received_at=when)
                for line, q, lot, when in receipts]  # fmt: skip
        for row in shipments:
            row.shipped_at = row.when
        for row in returns:
            row.received_at = row.when
        with _history_stamps(Receipt, "received_at"), _history_stamps(ShipOut, "shipped_at"), \
                _history_stamps(VendorReturn, "received_at"):  # fmt: skip
            insert(Receipt, made)
            insert(ShipOut, shipments)
            insert(VendorReturn, returns)
