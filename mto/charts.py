"""Server-rendered SVG bar charts (no chart library, no CDN), each with its numbers as a table."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    display: str
    y: int
    width: float


def bar_chart(rows, *, title: str, unit: str = "", max_value=None, fmt="{:,.0f}") -> dict:
    """rows: (label, value) pairs. Returns what partials/bar_chart.html draws: a horizontal bar chart."""
    rows = [(str(label), float(value or 0)) for label, value in rows]
    # Bars are as long as the value's size; negative figures (a cost under estimate) keep their sign in the text.
    top = float(max_value if max_value is not None else max((abs(v) for _, v in rows), default=0)) or 1.0
    bars = [
        Bar(label, value, fmt.format(value) + unit, 8 + i * 30, min(abs(value) / top, 1.0) * 300)
        for i, (label, value) in enumerate(rows)
    ]
    return {"title": title, "bars": bars, "height": 16 + 30 * len(bars), "unit": unit}


def percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))
