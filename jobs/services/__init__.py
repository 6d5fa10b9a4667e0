"""Every write of the jobs app: job creation from approved orders, job and operation lifecycles, pieces.

Locks are taken in the house order: sales order, its lines, jobs, operations.
"""

from .actions import job_act, job_add_note
from .changes import jobs_follow_order_change
from .creation import (
    ENGINEERING,
    RoutedStep,
    job_create_manual,
    job_create_remake,
    jobs_cancel_for_order,
    jobs_create_for_lines,
    jobs_create_for_order,
)
from .labor import (
    operator_clock_in,
    operator_clock_out,
    operator_finish,
    operator_indirect_start,
    operator_indirect_stop,
    operator_join,
    operator_leave,
    operator_report_pieces,
)
from .operations import (
    Locked,
    job_lock_for_material,
    operation_act,
    operation_add,
    operation_add_rework,
    operation_pieces_shippable,
    operation_receive_back,
    operation_remove,
    operation_report_pieces,
    operation_report_rest_and_finish,
    operation_set_material_ready,
    operation_ship_out,
    operation_update,
)
from .operators import (
    kiosk_enroll,
    kiosk_revoke,
    labor_class_save,
    operator_create,
    operator_rotate_badge,
    operator_set_pin,
    operator_update,
)
from .planned import operations_set_planned
from .work_centers import work_center_save

__all__ = [
    "kiosk_enroll",
    "kiosk_revoke",
    "labor_class_save",
    "operator_clock_in",
    "operator_clock_out",
    "operator_create",
    "operator_finish",
    "operator_indirect_start",
    "operator_indirect_stop",
    "operator_join",
    "operator_leave",
    "operator_report_pieces",
    "operator_rotate_badge",
    "operator_set_pin",
    "operator_update",
    "RoutedStep",
    "ENGINEERING",
    "Locked",
    "job_act",
    "job_add_note",
    "job_create_manual",
    "job_create_remake",
    "job_lock_for_material",
    "jobs_cancel_for_order",
    "jobs_create_for_lines",
    "jobs_create_for_order",
    "jobs_follow_order_change",
    "operation_act",
    "operation_add",
    "operation_add_rework",
    "operation_pieces_shippable",
    "operation_receive_back",
    "operation_remove",
    "operation_report_pieces",
    "operation_report_rest_and_finish",
    "operation_set_material_ready",
    "operation_ship_out",
    "operation_update",
    "operations_set_planned",
    "work_center_save",
]
