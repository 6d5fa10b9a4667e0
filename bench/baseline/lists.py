"""Baselines of the list pages: orders, jobs, the floor board, ready to ship."""

from django.utils import timezone

from jobs.filters import JobFilter
from jobs.models import Job, Operation, WorkCenter
from jobs.selectors import FLOOR_COUNT_CAP, FLOOR_QUEUE_PAGE, FloorQueue
from jobs.workflow import OPEN, J, O
from sales.filters import SalesOrderListFilter
from sales.models import SalesOrder, SalesOrderLine
from sales.workflow import OPEN_STATUSES

from .common import CAP, ME_SQL, _page, _query_string, _render, _strip_build, _user, baseline_view, build, fetch

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
    """The ready queue of the work center in ?wc= (the real page takes it from the tablet's session).

    Like the page (jobs/selectors/jobs.py floor_queue): one page of what can be worked on now, in schedule
    order among the first FLOOR_COUNT_CAP open operations, and their counts (ready and all)."""
    actionable = """j.status = ANY(%(job_moves)s) AND (op.status = ANY(%(op_started)s) OR (
                      op.status = 'pending' AND op.material_ready AND (prev.status IS NULL OR prev.status = 'done'
                                                                       OR prev.good_qty > 0)))"""
    prev = """LEFT JOIN LATERAL (SELECT e.status, e.good_qty FROM jobs_operation e
                                  WHERE e.job_id = op.job_id AND e.sequence < op.sequence
                                  ORDER BY e.sequence DESC LIMIT 1) prev ON TRUE"""
    rows = fetch(
        f"""WITH {ME_SQL},
        wc AS (SELECT id FROM jobs_workcenter WHERE code = %(wc)s AND is_active),
        first AS (
          SELECT op.id FROM jobs_operation op JOIN jobs_job j ON j.id = op.job_id
          WHERE op.work_center_id = (SELECT id FROM wc) AND op.status = ANY(%(op_open)s)
                AND j.status = ANY(%(job_open)s)
          ORDER BY op.planned_start NULLS LAST, j.due_date, j.priority, j.id, op.sequence LIMIT %(cap)s),
        counts AS (
          SELECT count(*) AS total, count(*) FILTER (WHERE {actionable}) AS ready
          FROM jobs_operation op JOIN jobs_job j ON j.id = op.job_id {prev}
          WHERE op.id IN (SELECT id FROM first)),
        queue AS (
          SELECT op.id, op.sequence, op.description, op.status, op.job_id, op.work_center_id,
                 op.material_ready, op.pieces_at_vendor, op.planned_start, op.planned_finish,
                 j.id AS job__id, j.number AS job__number, j.origin AS job__origin,
                 j.part_number AS job__part_number, j.part_revision AS job__part_revision,
                 j.quantity AS job__quantity, j.quantity_completed AS job__quantity_completed,
                 j.due_date AS job__due_date, j.priority AS job__priority,
                 j.status AS job__status, j.sales_order_id AS job__sales_order_id,
                 j.sales_order_id AS job__sales_order__id, c.id AS job__sales_order__customer__id,
                 c.name AS job__sales_order__customer__name,
                 prev.status AS previous_status, prev.good_qty AS previous_good,
                 (SELECT min(t.started_at) FROM jobs_timeentry t
                  WHERE t.operation_id = op.id AND t.stopped_at IS NULL) AS running_since
          FROM jobs_operation op JOIN jobs_job j ON j.id = op.job_id
               LEFT JOIN sales_salesorder o ON o.id = j.sales_order_id
               LEFT JOIN sales_customer c ON c.id = o.customer_id
               {prev}
          WHERE op.id IN (SELECT id FROM first) AND {actionable}
          ORDER BY op.planned_start NULLS LAST, j.due_date, j.priority, j.id, op.sequence LIMIT %(page)s)
        SELECT me.*, q.*, (SELECT total FROM counts) AS me__total, (SELECT ready FROM counts) AS me__ready,
               (SELECT json_agg(json_build_object('id', w.id, 'code', w.code, 'name', w.name) ORDER BY w.code)
                FROM jobs_workcenter w WHERE w.is_active) AS me__work_centers,
               (SELECT json_agg(h) FROM (
                  SELECT DISTINCT ON (j.due_date, j.id) j.id, j.number, j.hold_reason FROM jobs_job j
                  JOIN jobs_operation op ON op.job_id = j.id
                  WHERE j.status = 'on_hold' AND op.work_center_id = (SELECT id FROM wc)
                  ORDER BY j.due_date, j.id LIMIT 50) h) AS me__held
        FROM me LEFT JOIN queue q ON TRUE
        ORDER BY q.planned_start NULLS LAST, q.job__due_date, q.job__priority, q.job__id, q.sequence""",
        {"user": user, "wc": request.GET.get("wc", ""), "op_open": [O.PENDING, O.RUNNING, O.PAUSED],
         "job_open": [J.RELEASED, J.IN_PROGRESS, J.ON_HOLD], "job_moves": [J.RELEASED, J.IN_PROGRESS],
         "op_started": [O.RUNNING, O.PAUSED], "cap": FLOOR_COUNT_CAP, "page": FLOOR_QUEUE_PAGE},
    )  # fmt: skip
    me = _user(rows[0], request)
    centers = [build(WorkCenter, w) for w in me["work_centers"] or []]
    current = next((c for c in centers if c.code == request.GET.get("wc")), None)
    operations = []
    for r in rows:
        if r["id"] is None:
            continue
        op = _strip_build(Operation, r)
        op.ready = op.material_ready and (op.previous_status is None or op.previous_status == O.DONE
                                          or (op.previous_good or 0) > 0)  # fmt: skip
        operations.append(op)
    queue = FloorQueue(operations=operations, show="ready", ready=me["ready"] or 0, total=me["total"] or 0)
    held = [build(Job, h) for h in me["held"] or []]
    context = {"work_centers": centers, "current": current, "queue": queue, "held": held, "show": "ready",
               "search": "", "runs_floor": True}  # fmt: skip
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
                 l.quantity_produced - l.quantity_shipped AS ready,
                 (SELECT h.number FROM jobs_job h WHERE h.sales_order_line_id = l.id AND h.status = 'on_hold'
                  LIMIT 1) AS held_job
          FROM sales_salesorderline l JOIN sales_salesorder o ON o.id = l.order_id
               JOIN sales_customer c ON c.id = o.customer_id LEFT JOIN sales_item i ON i.id = l.item_id
          WHERE o.status = ANY(%(shippable)s) AND NOT l.is_cancelled AND l.quantity_produced > l.quantity_shipped
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
