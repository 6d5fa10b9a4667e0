"""Reads of the jobs app, one module per concern; callers import them from `jobs.selectors`."""

from .common import CENT, HOURS
from .costs import CostLine, actual_by, attach_costs, cost_variance, job_detail
from .figures import (
    late_job_count,
    late_jobs,
    orders_at_risk,
    wip_by_status,
    work_center_load,
    work_center_load_by_week,
)
from .jobs import (
    LineProduction,
    floor_job,
    floor_job_token,
    job_list_queryset,
    jobs_for_order,
    jobs_on_hold,
    line_production,
    work_center_by_code,
    work_center_queue,
    work_center_queue_queryset,
    work_centers,
    work_centers_of,
    work_centers_with_leads,
)

__all__ = [
    "CENT",
    "CostLine",
    "HOURS",
    "LineProduction",
    "actual_by",
    "attach_costs",
    "cost_variance",
    "floor_job",
    "floor_job_token",
    "job_detail",
    "job_list_queryset",
    "jobs_for_order",
    "jobs_on_hold",
    "late_job_count",
    "late_jobs",
    "line_production",
    "orders_at_risk",
    "wip_by_status",
    "work_center_by_code",
    "work_center_load",
    "work_center_load_by_week",
    "work_center_queue",
    "work_center_queue_queryset",
    "work_centers",
    "work_centers_of",
    "work_centers_with_leads",
]
