"""`money`: a figure to two decimals with thousands separators, as `floatformat:2|intcomma` shows it.

Django's pair localizes twice per value (a format lookup per call, then a regex pass over the string): on a quote
of 20 lines x 4 breaks, 560 figures were a third of the page's rendering. The shop's pages are in en-us
(settings.LANGUAGE_CODE, no per-user language), so the format is fixed: comma thousands, point decimals, halves
rounded up as floatformat rounds them. tests/mto/test_format.py holds it to Django's pair.

`quantity`: a quantity as `floatformat:"-3"` shows it (a whole number without decimals, else three), for the same
reason: the receiving page printed 150 of them."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

_CENT = Decimal("0.01")
_MILLI = Decimal("0.001")


def _decimal(value) -> Decimal | str:
    """The value as a finite Decimal, or the text both filters print instead ("" for nothing or not a number)."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    return number if number.is_finite() else str(value)


@register.filter
def money(value) -> str:
    number = _decimal(value)
    if isinstance(number, str):
        return number
    try:
        rounded = number.quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return ""
    if rounded == 0:
        rounded = abs(rounded)  # "-0.00" as floatformat shows it: "0.00"
    return f"{rounded:,.2f}"


@register.filter
def quantity(value) -> str:
    number = _decimal(value)
    if isinstance(number, str):
        return number
    if number == number.to_integral_value():
        return str(int(number))
    try:
        rounded = number.quantize(_MILLI, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return ""
    return f"{abs(rounded) if rounded == 0 else rounded:f}"
