"""Raw-SQL baselines of the hot pages: ONE hand-written query per page, then the page's own template.

Loaded only by bench.settings (through bench/urls.py); the production URLconf never includes them.

Each baseline answers the same URL parameters as the real page and renders the same template with the
same context, but fetches everything it shows in a single SQL statement: the page's rows, the capped row
count, the filter form's choices and the signed-in user's name, roles, permissions and unread count. It
skips what a framework adds around the rows: no session lookup (the benchmark names the user in the
`X-Bench-User` header), no permission queries, no ORM. The ratio real/baseline is therefore the cost of
everything the real page does beyond "one round trip to the database and the template".

A field the SQL forgot to fetch would be loaded lazily by Django, and show up as a second query in the
`X-Queries` header that the benchmark prints for the baselines too.
"""

import datetime
import json
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.db import connection, models
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import resolve
from django.utils import timezone
from psycopg.types.json import set_json_loads

from jobs.filters import JobFilter
from jobs.models import Job, Operation, WorkCenter
from jobs.workflow import OPEN, J, O
from mto.context_processors import notifications as real_notifications
from mto.pagination import CappedPage, CappedPaginator
from sales.filters import SalesOrderListFilter
from sales.models import ChangeItem, ChangeRequest, SalesOrder, SalesOrderLine
from sales.workflow import OPEN_STATUSES

User = get_user_model()
CAP = CappedPaginator.cap

# The signed-in user with roles, permissions and the bell's unread count: a CTE of every baseline query.
ME_SQL = """
me AS MATERIALIZED (  -- evaluated once, not once per row of the page
  SELECT u.id AS me__id, u.username AS me__username, u.first_name AS me__first_name,
         u.last_name AS me__last_name, u.is_active AS me__is_active, u.is_staff AS me__is_staff,
         u.is_superuser AS me__is_superuser,
         ARRAY(SELECT g.name FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
               WHERE ug.user_id = u.id ORDER BY g.name) AS me__roles,
         ARRAY(SELECT ct.app_label || '.' || p.codename
               FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
               WHERE p.id IN (SELECT gp.permission_id FROM auth_user_groups ug
                              JOIN auth_group_permissions gp ON gp.group_id = ug.group_id WHERE ug.user_id = u.id
                              UNION SELECT up.permission_id FROM auth_user_user_permissions up
                              WHERE up.user_id = u.id)) AS me__perms,
         (SELECT count(*) FROM mto_notification n
          WHERE n.recipient_id = u.id AND n.channel = 'in_app' AND n.read_at IS NULL) AS me__unread
  FROM auth_user u WHERE u.id = %(user)s
)"""


def notifications(request):
    """The bell's count: taken from the baseline's query on baseline pages, else the real context processor."""
    if hasattr(request, "bench_unread"):
        return {"unread_notifications": request.bench_unread}
    return real_notifications(request)


# --- turning rows into model instances, without queries ------------------------------------------------

_CONVERT = (models.DateTimeField, models.DateField, models.DecimalField)


def _loads(text):
    return json.loads(text, parse_float=Decimal)


def fetch(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        # JSON numbers as Decimal, as numeric columns come. On this cursor only: on the connection it would
        # also change what the real pages' JSONFields get from the same worker's connection.
        set_json_loads(_loads, cursor.cursor)
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def build(model, data: dict):
    """A model instance from `field` and `relation__field` keys; other keys become attributes (annotations).

    Fields not given stay deferred (a template touching one would run a query, which the header shows).
    Values from JSON (strings for dates and decimals) are converted as the field would.
    """
    own, nested, extra = {}, {}, {}
    opts = model._meta
    for key, value in data.items():
        head, sep, rest = key.partition("__")
        if sep:
            nested.setdefault(head, {})[rest] = value
            continue
        try:
            field = opts.get_field(key)
        except Exception:
            extra[key] = value
            continue
        if value is not None and isinstance(field, _CONVERT) and not isinstance(value, datetime.date | Decimal):
            value = field.to_python(value)
        own[field.attname] = value
    names = [f.attname for f in opts.concrete_fields if f.attname in own]
    obj = model.from_db("default", names, [own[n] for n in names])
    for key, value in extra.items():
        setattr(obj, key, value)
    for relation, sub in nested.items():
        related = opts.get_field(relation).related_model
        setattr(obj, relation, None if sub.get("id") is None else build(related, sub))
    return obj


def prefetched(obj, name: str, items: list):
    """Set a reverse relation's cache, as prefetch_related does."""
    qs = getattr(obj, name).all()
    qs._result_cache = items
    qs._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


def _user(row: dict, request):
    me = {k[4:]: v for k, v in row.items() if k.startswith("me__")}
    fields = ["id", "username", "first_name", "last_name", "is_active", "is_staff", "is_superuser"]
    user = build(User, {name: me[name] for name in fields})
    perms = set(me["perms"])
    user._perm_cache = user._user_perm_cache = user._group_perm_cache = perms
    user._mto_roles = list(me["roles"])
    request.user = user
    request.bench_unread = me["unread"]
    return me


def _page(rows: list, total: int, per_page: int) -> dict:
    paginator = CappedPaginator(rows, per_page)
    paginator.__dict__["count"] = total
    page = CappedPage(rows[:per_page], 1, paginator)
    page.more = len(rows) > per_page
    return {"paginator": paginator, "page_obj": page, "is_paginated": page.has_other_pages()}


def _render(request, template: str, real_path: str, context: dict):
    request.resolver_match = resolve(real_path)  # the nav marks the same tab as on the real page
    return render(request, template, context)


def _query_string(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def baseline_view(func):
    def view(request, *args, **kwargs):
        user = request.headers.get("X-Bench-User", "")
        if not user.isdigit():
            return HttpResponseBadRequest("X-Bench-User: <user id> is required")
        return func(request, int(user), *args, **kwargs)

    view.__name__ = func.__name__
    return login_not_required(view)


# --- list pages ---------------------------------------------------------------------------------------


@baseline_view
def order_list(request, user):
    params = {"user": user}
    where = ["TRUE"]
    value = request.GET.get("q", "").strip()
    if value:
        number = value.upper()
        if number.isdigit():
            number = f"SO-{int(number):06d}"
        if number.startswith("SO-") and number[3:].isdigit() and len(number) >= 9:
            where.append("o.number = %(number)s")
            params["number"] = number
        else:
            # The same UNION of two indexed sets as the page (sales/filters.py): the best plan we know.
            where.append(
                """o.id IN (SELECT s.id FROM sales_salesorder s WHERE s.customer_id IN (
                              SELECT sc.id FROM sales_customer sc
                              WHERE upper(sc.code::text) = upper(%(q)s) OR upper(sc.name::text) LIKE upper(%(like)s))
                            UNION ALL
                            SELECT s.id FROM sales_salesorder s
                            WHERE upper(s.customer_po::text) LIKE upper(%(like)s))"""
            )
            params.update(q=value, like=f"%{_like(value)}%")
    if request.GET.get("status"):
        where.append("o.status = %(status)s")
        params["status"] = request.GET["status"]
    where = " AND ".join(where)
    rows = fetch(
        f"""WITH {ME_SQL},
        page AS (
          SELECT o.id, o.number, o.customer_po, o.order_date, o.promised_date, o.status, o.customer_id,
                 c.name AS customer__name
          FROM sales_salesorder o JOIN sales_customer c ON c.id = o.customer_id
          WHERE {where} ORDER BY o.id DESC LIMIT 26)
        SELECT me.*, p.*, p.customer_id AS customer__id, t.total, t.line_count,
               (SELECT count(*) FROM (SELECT 1 FROM sales_salesorder o JOIN sales_customer c ON c.id = o.customer_id
                                      WHERE {where} LIMIT {CAP + 1}) x) AS me__total
        FROM me LEFT JOIN page p ON TRUE
        LEFT JOIN LATERAL (SELECT coalesce(sum(l.quantity * l.unit_price), 0) AS total, count(*) AS line_count
                           FROM sales_salesorderline l WHERE l.order_id = p.id AND NOT l.is_cancelled) t ON TRUE
        ORDER BY p.id DESC""",
        params,
    )
    me = _user(rows[0], request)
    orders = [_strip_build(SalesOrder, r) for r in rows if r["id"] is not None]
    page = _page(orders, me["total"], 25)
    context = {
        "orders": page["page_obj"].object_list,
        "object_list": page["page_obj"].object_list,
        "filter": SalesOrderListFilter(request.GET or None, queryset=SalesOrder.objects.none()),
        "query": _query_string(request),
        **page,
    }
    return _render(request, "sales/order_list.html", "/sales/orders/", context)


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _strip_build(model, row):
    return build(model, {k: v for k, v in row.items() if not k.startswith("me__")})


@baseline_view
def job_list(request, user):
    params = {"user": user}
    where = ["TRUE"]
    if request.GET.get("late"):
        where.append("j.status = ANY(%(open)s) AND j.due_date < %(today)s")
        params.update(open=list(OPEN), today=timezone.localdate())
    if request.GET.get("status"):
        where.append("j.status = %(status)s")
        params["status"] = request.GET["status"]
    where = " AND ".join(where)
    rows = fetch(
        f"""WITH {ME_SQL},
        page AS (
          SELECT j.id, j.number, j.origin, j.part_number, j.part_revision, j.description, j.quantity,
                 j.quantity_completed, j.due_date, j.priority, j.status, j.sales_order_id,
                 o.id AS sales_order__id, o.number AS sales_order__number, c.id AS sales_order__customer__id,
                 c.name AS sales_order__customer__name
          FROM jobs_job j LEFT JOIN sales_salesorder o ON o.id = j.sales_order_id
               LEFT JOIN sales_customer c ON c.id = o.customer_id
          WHERE {where} ORDER BY j.due_date, j.priority, j.id LIMIT 26)
        SELECT me.*, p.*, ops.ops_total, ops.ops_done,
               (SELECT count(*) FROM (SELECT 1 FROM jobs_job j WHERE {where} LIMIT {CAP + 1}) x) AS me__total,
               (SELECT json_agg(json_build_array(w.id, w.code || ' - ' || w.name) ORDER BY w.code)
                FROM jobs_workcenter w WHERE w.is_active) AS me__work_centers
        FROM me LEFT JOIN page p ON TRUE
        LEFT JOIN LATERAL (SELECT count(*) AS ops_total, count(*) FILTER (WHERE op.status = 'done') AS ops_done
                           FROM jobs_operation op WHERE op.job_id = p.id) ops ON TRUE
        ORDER BY p.due_date, p.priority, p.id""",
        params,
    )
    me = _user(rows[0], request)
    jobs = [_strip_build(Job, r) for r in rows if r["id"] is not None]
    filters = JobFilter(request.GET or None, queryset=Job.objects.none())
    filters.form.fields["work_center"].widget.choices = [
        ("", "Any work center"),
        *map(tuple, me["work_centers"] or []),
    ]
    page = _page(jobs, me["total"], 25)
    context = {
        "jobs": page["page_obj"].object_list,
        "object_list": page["page_obj"].object_list,
        "filter": filters,
        "query": _query_string(request),
        **page,
    }
    return _render(request, "jobs/job_list.html", "/jobs/", context)


@baseline_view
def floor_board(request, user):
    """The queue of the work center in ?wc= (the real page takes it from the tablet's session).

    Like the page (jobs/selectors.py), it picks the 200 most urgent operations before joining the rest."""
    rows = fetch(
        f"""WITH {ME_SQL},
        wc AS (SELECT id FROM jobs_workcenter WHERE code = %(wc)s AND is_active),
        first AS (
          SELECT op.id FROM jobs_operation op JOIN jobs_job j ON j.id = op.job_id
          WHERE op.work_center_id = (SELECT id FROM wc) AND op.status = ANY(%(op_open)s)
                AND j.status = ANY(%(job_open)s)
          ORDER BY j.due_date, j.priority, j.id, op.sequence LIMIT 200),
        queue AS (
          SELECT op.id, op.sequence, op.description, op.status, op.job_id, op.work_center_id,
                 j.id AS job__id, j.number AS job__number, j.origin AS job__origin,
                 j.part_number AS job__part_number, j.part_revision AS job__part_revision,
                 j.quantity AS job__quantity, j.due_date AS job__due_date, j.priority AS job__priority,
                 j.status AS job__status, j.sales_order_id AS job__sales_order_id,
                 j.sales_order_id AS job__sales_order__id, c.id AS job__sales_order__customer__id,
                 c.name AS job__sales_order__customer__name,
                 prev.status AS previous_status, prev.good_qty AS previous_good
          FROM jobs_operation op JOIN jobs_job j ON j.id = op.job_id
               LEFT JOIN sales_salesorder o ON o.id = j.sales_order_id
               LEFT JOIN sales_customer c ON c.id = o.customer_id
               LEFT JOIN LATERAL (SELECT e.status, e.good_qty FROM jobs_operation e
                                  WHERE e.job_id = op.job_id AND e.sequence < op.sequence
                                  ORDER BY e.sequence DESC LIMIT 1) prev ON TRUE
          WHERE op.id IN (SELECT id FROM first))
        SELECT me.*, q.*,
               (SELECT json_agg(json_build_object('id', w.id, 'code', w.code, 'name', w.name) ORDER BY w.code)
                FROM jobs_workcenter w WHERE w.is_active) AS me__work_centers,
               (SELECT json_agg(h) FROM (
                  SELECT DISTINCT ON (j.due_date, j.id) j.id, j.number, j.hold_reason FROM jobs_job j
                  JOIN jobs_operation op ON op.job_id = j.id
                  WHERE j.status = 'on_hold' AND op.work_center_id = (SELECT id FROM wc)
                  ORDER BY j.due_date, j.id LIMIT 50) h) AS me__held
        FROM me LEFT JOIN queue q ON TRUE
        ORDER BY q.job__due_date, q.job__priority, q.job__id, q.sequence""",
        {"user": user, "wc": request.GET.get("wc", ""), "op_open": [O.PENDING, O.RUNNING, O.PAUSED],
         "job_open": [J.RELEASED, J.IN_PROGRESS, J.ON_HOLD]},
    )  # fmt: skip
    me = _user(rows[0], request)
    centers = [build(WorkCenter, w) for w in me["work_centers"] or []]
    current = next((c for c in centers if c.code == request.GET.get("wc")), None)
    queue = []
    for r in rows:
        if r["id"] is None:
            continue
        op = _strip_build(Operation, r)
        op.ready = op.previous_status is None or op.previous_status == O.DONE or (op.previous_good or 0) > 0
        queue.append(op)
    held = [build(Job, h) for h in me["held"] or []]
    context = {"work_centers": centers, "current": current, "queue": queue, "held": held}
    return _render(request, "jobs/floor_board.html", "/jobs/floor/", context)


@baseline_view
def ready_to_ship(request, user):
    rows = fetch(
        f"""WITH {ME_SQL},
        lines AS (
          SELECT l.id, l.line_no, l.quantity, l.quantity_shipped, l.item_id, l.drawing_number, l.drawing_revision,
                 l.order_id, o.id AS order__id, o.number AS order__number, o.promised_date AS order__promised_date,
                 c.id AS order__customer__id, c.name AS order__customer__name,
                 i.id AS item__id, i.part_number AS item__part_number, i.revision AS item__revision,
                 made.produced - l.quantity_shipped AS ready,
                 (SELECT h.number FROM jobs_job h WHERE h.sales_order_line_id = l.id AND h.status = 'on_hold'
                  LIMIT 1) AS held_job
          FROM sales_salesorderline l JOIN sales_salesorder o ON o.id = l.order_id
               JOIN sales_customer c ON c.id = o.customer_id LEFT JOIN sales_item i ON i.id = l.item_id
               CROSS JOIN LATERAL (SELECT coalesce(sum(j.quantity_completed), 0) AS produced FROM jobs_job j
                                   WHERE j.sales_order_line_id = l.id AND j.status <> 'cancelled') made
          WHERE o.status = ANY(%(shippable)s) AND NOT l.is_cancelled AND made.produced > l.quantity_shipped
          ORDER BY o.promised_date NULLS LAST, l.order_id, l.line_no LIMIT {CAP + 1})
        SELECT me.*, l.*, (SELECT count(*) FROM lines) AS me__total
        FROM me LEFT JOIN (SELECT * FROM lines ORDER BY order__promised_date NULLS LAST, order_id, line_no
                           LIMIT 51) l ON TRUE
        ORDER BY l.order__promised_date NULLS LAST, l.order_id, l.line_no""",
        {"user": user, "shippable": list(OPEN_STATUSES)},
    )
    me = _user(rows[0], request)
    lines = [_strip_build(SalesOrderLine, r) for r in rows if r["id"] is not None]
    page = _page(lines, me["total"], 50)
    context = {"lines": page["page_obj"].object_list, "object_list": page["page_obj"].object_list, **page}
    return _render(request, "shipping/ready_to_ship.html", "/shipping/", context)


# --- detail pages: the child rows come as JSON arrays in the same single row ------------------------------


def _json_rows(model, items) -> list:
    return [build(model, item) for item in items or []]


@baseline_view
def order_detail(request, user, pk):
    from django.template.loader import render_to_string

    from sales.models import LineDrawing, SalesOrderStatusChange
    from sales.workflow import available_transitions
    from shipping.models import Shipment

    rows = fetch(
        f"""WITH {ME_SQL}
        SELECT me.*, o.id, o.number, o.customer_po, o.order_date, o.requested_date, o.promised_date, o.notes,
               o.status, o.revision, o.customer_id, o.ship_to_id, o.created_by_id,
               c.id AS customer__id, c.code AS customer__code, c.name AS customer__name,
               s.id AS ship_to__id, s.label AS ship_to__label, s.address AS ship_to__address,
               u.id AS created_by__id, u.username AS created_by__username,
               u.first_name AS created_by__first_name, u.last_name AS created_by__last_name,
               (SELECT json_agg(l ORDER BY l.line_no) FROM (
                  SELECT l.id, l.line_no, l.item_id, l.description, l.drawing_number, l.drawing_revision,
                         l.quantity, l.unit_price, l.due_date, l.quantity_shipped, l.is_cancelled, l.order_id,
                         i.id AS item__id, i.part_number AS item__part_number, i.revision AS item__revision,
                         i.description AS item__description,
                         (SELECT json_agg(json_build_object('id', d.id, 'original_name', d.original_name,
                                                            'line_id', d.line_id) ORDER BY d.uploaded_at)
                          FROM sales_linedrawing d WHERE d.line_id = l.id) AS drawings
                  FROM sales_salesorderline l LEFT JOIN sales_item i ON i.id = l.item_id
                  WHERE l.order_id = o.id) l) AS me__lines,
               (SELECT json_agg(h ORDER BY h.id) FROM (
                  SELECT h.id, h.from_status, h.to_status, h.changed_at, h.reason, h.changed_by_id,
                         h.changed_by_id AS changed_by__id, cu.username AS changed_by__username,
                         cu.first_name AS changed_by__first_name, cu.last_name AS changed_by__last_name
                  FROM sales_salesorderstatuschange h LEFT JOIN auth_user cu ON cu.id = h.changed_by_id
                  WHERE h.order_id = o.id) h) AS me__history,
               (SELECT json_agg(j ORDER BY j.line_no, j.id) FROM (
                  SELECT j.id, j.number, j.status, j.quantity, j.quantity_completed, j.due_date, j.hold_reason,
                         j.sales_order_line_id, sl.line_no,
                         (SELECT json_agg(json_build_object('id', op.id, 'sequence', op.sequence,
                                 'description', op.description, 'status', op.status,
                                 'work_center__id', w.id, 'work_center__code', w.code) ORDER BY op.sequence)
                          FROM jobs_operation op JOIN jobs_workcenter w ON w.id = op.work_center_id
                          WHERE op.job_id = j.id) AS ops
                  FROM jobs_job j LEFT JOIN sales_salesorderline sl ON sl.id = j.sales_order_line_id
                  WHERE j.sales_order_id = o.id) j) AS me__jobs,
               (SELECT json_agg(x ORDER BY x.id) FROM (
                  SELECT sh.id, sh.number, sh.status, sh.carrier, sh.tracking_number, sh.shipped_at,
                         (SELECT coalesce(sum(sl.quantity), 0) FROM shipping_shipmentline sl
                          WHERE sl.shipment_id = sh.id) AS pieces
                  FROM shipping_shipment sh WHERE sh.order_id = o.id) x) AS me__shipments,
               (SELECT json_agg(x ORDER BY x.number) FROM (
                  SELECT cr.id, cr.number, cr.status, cr.revision, cr.order_id, cr.decided_at, cr.decision_note,
                         cr.created_by_id, cr.decided_by_id, cu.id AS created_by__id,
                         cu.username AS created_by__username, cu.first_name AS created_by__first_name,
                         cu.last_name AS created_by__last_name, du.id AS decided_by__id,
                         du.username AS decided_by__username, du.first_name AS decided_by__first_name,
                         du.last_name AS decided_by__last_name,
                         (SELECT json_agg(y ORDER BY y.id) FROM (
                            SELECT ci.id, ci.kind, ci.change_request_id, ci.line_id, ci.quantity, ci.date,
                                   ci.drawing_revision, ci.item_id, ci.description, ci.drawing_number, ci.ship_to_id,
                                   ci.reason, ci.before, cl.id AS line__id, cl.line_no AS line__line_no,
                                   cl.quantity AS line__quantity, cl.item_id AS line__item_id,
                                   cl.drawing_number AS line__drawing_number,
                                   cl.drawing_revision AS line__drawing_revision, cl.due_date AS line__due_date,
                                   li.id AS line__item__id, li.part_number AS line__item__part_number,
                                   li.revision AS line__item__revision, it.id AS item__id,
                                   it.part_number AS item__part_number, it.revision AS item__revision,
                                   st.id AS ship_to__id, st.label AS ship_to__label
                            FROM sales_changeitem ci LEFT JOIN sales_salesorderline cl ON cl.id = ci.line_id
                                 LEFT JOIN sales_item li ON li.id = cl.item_id
                                 LEFT JOIN sales_item it ON it.id = ci.item_id
                                 LEFT JOIN sales_shiptoaddress st ON st.id = ci.ship_to_id
                            WHERE ci.change_request_id = cr.id) y) AS items
                  FROM sales_changerequest cr JOIN auth_user cu ON cu.id = cr.created_by_id
                       LEFT JOIN auth_user du ON du.id = cr.decided_by_id
                  WHERE cr.order_id = o.id) x) AS me__changes
        FROM me CROSS JOIN sales_salesorder o JOIN sales_customer c ON c.id = o.customer_id
             LEFT JOIN sales_shiptoaddress s ON s.id = o.ship_to_id JOIN auth_user u ON u.id = o.created_by_id
        WHERE o.id = %(pk)s""",
        {"user": user, "pk": pk},
    )
    if not rows:
        raise Http404("No such order")
    me = _user(rows[0], request)
    order = _strip_build(SalesOrder, rows[0])
    lines = []
    for data in me["lines"] or []:
        drawings = data.pop("drawings")
        line = build(SalesOrderLine, data)
        prefetched(line, "drawings", _json_rows(LineDrawing, drawings))
        lines.append(line)
    prefetched(order, "lines", lines)
    prefetched(order, "status_changes", _json_rows(SalesOrderStatusChange, me["history"]))
    panels = []
    if request.user.has_perm("mto.view_jobs") and me["jobs"]:
        jobs = []
        for data in me["jobs"]:
            ops = [build(Operation, op) for op in data.pop("ops") or []]
            line_no = data.pop("line_no")
            job = build(Job, data)
            if job.sales_order_line_id:
                job.sales_order_line = SalesOrderLine.from_db(
                    "default", ["id", "line_no"], [job.sales_order_line_id, line_no]
                )
            job.current_operation = next((op for op in ops if op.status != O.DONE), None)
            job.ops_done = sum(op.status == O.DONE for op in ops)
            job.ops_total = len(ops)
            jobs.append(job)
        panels.append(render_to_string("jobs/partials/order_panel.html", {"jobs": jobs}, request=request))
    shipments = _json_rows(Shipment, me["shipments"])
    can_ship = request.user.has_perm("mto.ship") and order.status in OPEN_STATUSES
    if shipments or can_ship:
        context = {"shipments": shipments, "order": order, "can_ship": can_ship}
        panels.append(render_to_string("shipping/partials/order_panel.html", context, request=request))
    changes = []
    for data in me["changes"] or []:
        items = data.pop("items")
        change = build(ChangeRequest, data)
        change.order = order
        change_items = _json_rows(ChangeItem, items)
        for item in change_items:
            item.change_request = change
        prefetched(change, "items", change_items)
        changes.append(change)
    open_change = next((c for c in changes if c.is_open), None)
    context = {
        "order": order,
        "lines": lines,
        "transitions": available_transitions(order, request.user),
        "can_edit": order.is_editable and request.user.has_perm("mto.edit_orders"),
        "can_change": order.is_changeable and request.user.has_perm("mto.edit_orders") and not open_change,
        "changes": changes,
        "open_change": open_change,
        "panels": panels,
    }
    return _render(request, "sales/order_detail.html", order.get_absolute_url(), context)


@baseline_view
def job_detail(request, user, pk):
    from django.template.loader import render_to_string

    from jobs.forms import HoldForm, OperationForm
    from jobs.models import JobNote, JobStatusChange, TimeEntry
    from jobs.selectors import attach_costs
    from jobs.workflow import available_job_actions
    from mto.models import AuditEntry
    from shipping.models import Shipment

    rows = fetch(
        f"""WITH {ME_SQL}
        SELECT me.*, j.id, j.number, j.origin, j.part_number, j.part_revision, j.description, j.is_custom,
               j.quantity, j.due_date, j.priority, j.status, j.hold_reason, j.quantity_completed, j.version,
               j.sales_order_id, j.sales_order_line_id, j.order_revision,
               o.id AS sales_order__id, o.number AS sales_order__number, c.id AS sales_order__customer__id,
               c.name AS sales_order__customer__name, sl.id AS sales_order_line__id,
               sl.line_no AS sales_order_line__line_no,
               (SELECT json_agg(x ORDER BY x.sequence) FROM (
                  SELECT op.id, op.sequence, op.description, op.status, op.good_qty, op.scrap_qty, op.setup_hours,
                         op.run_hours_per_piece, op.job_id, op.work_center_id, w.id AS work_center__id,
                         w.code AS work_center__code, w.hourly_rate AS work_center__hourly_rate,
                         (SELECT json_agg(json_build_object('id', t.id, 'started_at', t.started_at,
                                 'stopped_at', t.stopped_at) ORDER BY t.id)
                          FROM jobs_timeentry t WHERE t.operation_id = op.id) AS entries
                  FROM jobs_operation op JOIN jobs_workcenter w ON w.id = op.work_center_id
                  WHERE op.job_id = j.id) x) AS me__ops,
               (SELECT json_agg(x ORDER BY x.at DESC, x.id DESC) FROM (
                  SELECT n.id, n.text, n.at, n.by_id, n.by_id AS by__id, nu.username AS by__username,
                         nu.first_name AS by__first_name, nu.last_name AS by__last_name
                  FROM jobs_jobnote n JOIN auth_user nu ON nu.id = n.by_id WHERE n.job_id = j.id) x) AS me__notes,
               (SELECT json_agg(x ORDER BY x.id) FROM (
                  SELECT h.id, h.from_status, h.to_status, h.changed_at, h.reason, h.changed_by_id,
                         h.changed_by_id AS changed_by__id, hu.username AS changed_by__username,
                         hu.first_name AS changed_by__first_name, hu.last_name AS changed_by__last_name
                  FROM jobs_jobstatuschange h LEFT JOIN auth_user hu ON hu.id = h.changed_by_id
                  WHERE h.job_id = j.id) x) AS me__history,
               (SELECT json_agg(x ORDER BY x.id) FROM (
                  SELECT sh.id, sh.number, sum(shl.quantity) AS pieces
                  FROM shipping_shipment sh JOIN shipping_shipmentline shl ON shl.shipment_id = sh.id
                  WHERE shl.order_line_id = j.sales_order_line_id AND sh.status = 'shipped'
                  GROUP BY sh.id) x) AS me__shipments,
               (SELECT json_agg(json_build_array(w.id, w.code || ' - ' || w.name) ORDER BY w.code)
                FROM jobs_workcenter w WHERE w.is_active) AS me__work_centers,
               (SELECT json_agg(x ORDER BY x.id) FROM (
                  SELECT a.id, a.field, a.before, a.after, a.reason, a.changed_at, a.changed_by_id,
                         au.id AS changed_by__id, au.username AS changed_by__username,
                         au.first_name AS changed_by__first_name, au.last_name AS changed_by__last_name
                  FROM mto_auditentry a LEFT JOIN auth_user au ON au.id = a.changed_by_id
                  WHERE a.object_type = 'jobs.Job' AND a.object_id = j.id) x) AS me__changes
        FROM me CROSS JOIN jobs_job j LEFT JOIN sales_salesorder o ON o.id = j.sales_order_id
             LEFT JOIN sales_customer c ON c.id = o.customer_id
             LEFT JOIN sales_salesorderline sl ON sl.id = j.sales_order_line_id
        WHERE j.id = %(pk)s""",
        {"user": user, "pk": pk},
    )
    if not rows:
        raise Http404("No such job")
    me = _user(rows[0], request)
    job = _strip_build(Job, rows[0])
    job.ops = []
    for data in me["ops"] or []:
        entries = _json_rows(TimeEntry, data.pop("entries"))
        op = build(Operation, data)
        prefetched(op, "time_entries", entries)
        job.ops.append(op)
    prefetched(job, "operations", job.ops)
    prefetched(job, "notes", _json_rows(JobNote, me["notes"]))
    prefetched(job, "status_changes", _json_rows(JobStatusChange, me["history"]))
    attach_costs(job, job.ops, timezone.now())
    panels = []
    if job.sales_order_line_id:
        shipments = _json_rows(Shipment, me["shipments"])
        context = {"job": job, "shipped": sum(s.pieces for s in shipments), "shipments": shipments}
        panels.append(render_to_string("shipping/partials/job_panel.html", context, request=request))
    operation_form = OperationForm()
    operation_form.fields["work_center"].widget.choices = [("", "---------"), *map(tuple, me["work_centers"] or [])]
    context = {
        "job": job,
        "actions": available_job_actions(job, request.user),
        "can_plan": job.is_open and request.user.has_perm("mto.plan_jobs"),
        "operation_form": operation_form,
        "hold_form": HoldForm(),
        "changes": _json_rows(AuditEntry, me["changes"]),
        "panels": panels,
    }
    return _render(request, "jobs/job_detail.html", job.get_absolute_url(), context)
