"""The inspection plan a quote line is sold with (issue 19): characteristics entered on the draft quote, copied
with a revision, handed to quality as the order line's plan when the quote is accepted."""

from django.core.exceptions import ValidationError

from mto.db import atomic_with_retry
from mto.transitions import User
from quality.services import characteristic_check, line_plan_set

from ..models import QuoteLine, QuoteLineCharacteristic
from .estimate import _locked_draft, _require

FIELDS = ("operation_sequence", "name", "kind", "nominal", "tolerance_plus", "tolerance_minus", "unit", "sampling",
          "sample_n")  # fmt: skip


@atomic_with_retry
def quote_line_characteristic_add(*, line: QuoteLine, by: User, **fields) -> QuoteLineCharacteristic:
    """Add a characteristic to a draft quote's line (the rules of an item's plan: a dimension needs its nominal and
    a tolerance, first N or per lot needs its N)."""
    _require(by, "edit_quotes")
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(f"Cannot set {', '.join(sorted(unknown))}.")
    _locked_draft(line.quote)
    last = QuoteLineCharacteristic.objects.filter(line=line).order_by("-position").values_list("position", flat=True)
    char = QuoteLineCharacteristic(line=line, position=(last.first() or 0) + 1, **fields)
    char.name = (char.name or "").strip()
    characteristic_check(char)
    char.full_clean()
    char.save()
    return char


@atomic_with_retry
def quote_line_characteristic_remove(*, characteristic: QuoteLineCharacteristic, by: User) -> None:
    _require(by, "edit_quotes")
    _locked_draft(characteristic.line.quote)
    QuoteLineCharacteristic.objects.filter(pk=characteristic.pk).delete()


def characteristics_copy(*, source: QuoteLine, target: QuoteLine) -> None:
    """A revision's line gets the characteristics of the line it copies (in the revision's transaction)."""
    QuoteLineCharacteristic.objects.bulk_create(
        QuoteLineCharacteristic(line=target, position=c.position, **{f: getattr(c, f) for f in FIELDS})
        for c in source.characteristics.all()
    )


def characteristics_hand_over(*, lines: list[QuoteLine], by: User) -> int:
    """The accepted quote's lines hand their characteristics to quality as their order lines' plans (in the
    acceptance's transaction; before approval makes the jobs, which copy them). Returns how many lines."""
    chars: dict[int, list[QuoteLineCharacteristic]] = {}
    for c in QuoteLineCharacteristic.objects.filter(line__in=lines).order_by("line_id", "position", "id"):
        chars.setdefault(c.line_id, []).append(c)
    handed = 0
    for line in lines:
        if chars.get(line.pk) and line.sales_order_line_id:
            line_plan_set(line=line.sales_order_line, by=by,
                          characteristics=[{f: getattr(c, f) for f in FIELDS} for c in chars[line.pk]])  # fmt: skip
            handed += 1
    return handed
