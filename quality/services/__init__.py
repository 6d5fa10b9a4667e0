"""Every write of the quality app: plans, their copies on jobs, inspection results, NCRs."""

from .inspections import inspection_record, pieces_may_pass, unsettled_failures
from .ncrs import ncr_close, ncr_cost, ncr_disposition, ncr_open
from .plans import plan_characteristic_add, plan_characteristic_remove, plan_characteristic_update, plans_copy_to_jobs

__all__ = [
    "inspection_record",
    "ncr_close",
    "ncr_cost",
    "ncr_disposition",
    "ncr_open",
    "pieces_may_pass",
    "plan_characteristic_add",
    "plan_characteristic_remove",
    "plan_characteristic_update",
    "plans_copy_to_jobs",
    "unsettled_failures",
]
