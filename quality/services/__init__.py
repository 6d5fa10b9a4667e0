"""Every write of the quality app: plans, their copies on jobs, inspection results, NCRs."""

from .fai import (
    first_article_accept,
    first_article_gate,
    first_article_record,
    first_article_reject,
    first_articles_for_revision_change,
    first_articles_require,
)
from .inspections import inspection_record, pieces_may_pass, unsettled_failures
from .line_plans import line_plan_set
from .ncrs import ncr_close, ncr_cost, ncr_disposition, ncr_open
from .plans import (
    characteristic_check,
    plan_characteristic_add,
    plan_characteristic_remove,
    plan_characteristic_update,
    plans_copy_to_jobs,
)
from .remakes import line_missing, remake_proposal_accept, remake_proposal_dismiss, remake_propose

__all__ = [
    "characteristic_check",
    "first_article_accept",
    "first_article_gate",
    "first_article_record",
    "first_article_reject",
    "first_articles_for_revision_change",
    "first_articles_require",
    "line_missing",
    "line_plan_set",
    "remake_proposal_accept",
    "remake_proposal_dismiss",
    "remake_propose",
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
