"""An order line's own inspection plan, handed over by a higher app that sold the line with one (quotes, when a
quote becomes an order). Copied onto the line's jobs by plans_copy_to_jobs, in place of the item's plan."""

from django.core.exceptions import ValidationError

from mto.transitions import User
from sales.models import SalesOrderLine

from ..models import COPIED_FIELDS, Kind, Sampling
from ..models_lines import LinePlanCharacteristic
from .common import _require
from .plans import _check


def line_plan_set(*, line: SalesOrderLine, characteristics: list[dict], by: User) -> list[LinePlanCharacteristic]:
    """Give the order line its inspection plan (the caller's transaction: the quote's acceptance). Each entry has
    the fields of a characteristic (operation_sequence, name, kind, nominal, tolerances, unit, sampling, sample_n);
    the same rules as an item's plan apply, all or nothing. A line that has its plan already keeps it (a retried
    acceptance). Fixed queries whatever the number of characteristics."""
    _require(by, "edit_quotes", "edit_quality_plans")
    if LinePlanCharacteristic.objects.filter(line=line).exists():
        return []
    rows, errors = [], {}
    for position, fields in enumerate(characteristics, start=1):
        unknown = set(fields) - set(COPIED_FIELDS)
        if unknown:
            raise ValueError(f"unknown characteristic fields {sorted(unknown)}")
        char = LinePlanCharacteristic(line=line, position=position, **{
            "kind": Kind.DIMENSION, "sampling": Sampling.EVERY, "unit": "", **fields})  # fmt: skip
        char.name = (char.name or "").strip()
        try:
            _check(char)
            char.full_clean(exclude=["line"])
        except ValidationError as exc:
            errors.update({f"{position}.{k}": v for k, v in exc.message_dict.items()})
        rows.append(char)
    if errors:
        raise ValidationError(errors)
    return LinePlanCharacteristic.objects.bulk_create(rows)
