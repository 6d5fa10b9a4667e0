"""Baselines of the detail pages: the child rows come as JSON arrays in the same single row."""

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from jobs.models import Job, Operation
from jobs.workflow import O
from mto.idempotency import new_token
from sales.models import ChangeItem, ChangeRequest, SalesOrder, SalesOrderLine
from sales.workflow import OPEN_STATUSES

from .common import ME_SQL, _render, _strip_build, _user, baseline_view, build, fetch, prefetched

# --- detail pages: the child rows come as JSON arrays in the same single row ------------------------------


def _json_rows(model, items) -> list:
    return [build(model, item) for item in items or []]


def _planning_panel(request, me, template, context, *, promisable=False) -> list[str]:
    """Planning's schedule panel as the page draws it before any schedule exists ("No schedule yet."); with a
    schedule, or a promise to work out, planning's own panel code (its queries are counted)."""
    if not (request.user.has_perm("mto.plan_jobs") or request.user.has_perm("mto.view_reports")):
        return []
    if me["scheduled"] or promisable:
        from mto import reads
        from planning import panels as planning

        if "order" in context:
            build, declare = planning.order_projection, planning.order_projection_reads
        else:
            build, declare = planning.job_projection, planning.job_projection_reads
        data = build(request, **context, rows=reads.fetch(**declare(request, **context)))
        return [render_to_string(template, data, request=request)] if data else []
    return [render_to_string(template, {"run": None, "projection": None, **context}, request=request)]


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
               EXISTS (SELECT 1 FROM planning_schedulerun r WHERE r.status = 'done') AS me__scheduled,
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
    panels += _planning_panel(request, me, "planning/partials/order_panel.html", {"order": order},
                              promisable=order.status in ("draft", "pending_approval"))  # fmt: skip
    shipments = _json_rows(Shipment, me["shipments"])
    can_ship = request.user.has_perm("mto.ship") and order.status in OPEN_STATUSES
    if request.user.has_perm("mto.view_shipments") and (shipments or can_ship):
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

    from jobs.forms import HoldForm
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
                         op.run_hours_per_piece, op.job_id, op.work_center_id, op.planned_start,
                         op.planned_finish, op.finished_at, op.version, w.id AS work_center__id,
                         w.code AS work_center__code, w.hourly_rate AS work_center__hourly_rate,
                         w.is_outside AS work_center__is_outside,
                         (SELECT json_agg(json_build_object('id', t.id, 'started_at', t.started_at,
                                 'stopped_at', t.stopped_at, 'hourly_rate', t.hourly_rate) ORDER BY t.id)
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
               EXISTS (SELECT 1 FROM purchasing_materialrequirement mr WHERE mr.job_id = j.id)
               OR EXISTS (SELECT 1 FROM purchasing_outsideoperation oo JOIN jobs_operation oop
                          ON oop.id = oo.operation_id WHERE oop.job_id = j.id) AS me__purchasing,
               EXISTS (SELECT 1 FROM planning_schedulerun r WHERE r.status = 'done') AS me__scheduled,
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
    if request.user.has_perm("mto.manage_jobs"):  # the page's reopen rule, on the rows read above
        from jobs.workflow import available_operation_moves

        for op in job.ops:
            op.can_reopen = any(t.name == "reopen" for t in available_operation_moves(op, job, request.user))
    # planning's panel (order 20) comes before shipping's (30)
    panels = _planning_panel(request, me, "planning/partials/job_panel.html", {"job": job}) if job.is_open else []
    if job.sales_order_line_id:
        shipments = _json_rows(Shipment, me["shipments"])
        context = {"job": job, "shipped": sum(s.pieces for s in shipments), "shipments": shipments}
        panels.append(render_to_string("shipping/partials/job_panel.html", context, request=request))
    if me["purchasing"]:
        # A job with material or outside operations: purchasing's own panels (their queries are counted).
        from mto import panels as registry

        panels = registry.render(request, page="job-detail", job=job)
    elif request.user.has_perm("mto.view_purchasing") and request.user.has_perm("mto.buy"):
        # No material, no outside operation: the material panel is empty (with its Add button), no outside panel.
        from jobs.workflow import OPEN

        context = {"job": job, "requirements": [], "can_edit": job.status in OPEN}
        panels.append(render_to_string("purchasing/partials/job_material_panel.html", context, request=request))
    context = {
        "job": job,
        "actions": available_job_actions(job, request.user),
        "can_plan": job.is_open and request.user.has_perm("mto.plan_jobs"),
        "operation_form": None,  # the page fetches its add-an-operation form when that section opens
        "hold_form": HoldForm(),
        "changes": _json_rows(AuditEntry, me["changes"]),
        "panels": panels,
        "submit_token": new_token(),
    }
    return _render(request, "jobs/job_detail.html", job.get_absolute_url(), context)
