"""Shipping widgets for the home page (registered in panels.py): the office's two declare their reads
(mto.reads; the page runs every widget's together) and build their context from the rows."""

from mto.charts import bar_chart, percent
from mto.widgets import widget

from . import selectors


def ready_to_ship_widget(request) -> dict:
    return widget("ready", "Lines ready to ship", number=selectors.ready_to_ship().count(), link="/shipping/",
                  link_label="Ready-to-ship queue")  # fmt: skip


def shipped_today_widget(request) -> dict:
    today = selectors.shipped_on()
    return widget("today", "Shipped today", number=len(today),
                  items=[(s.get_absolute_url(), s.number, f"{s.order.customer.name} · {s.tracking_number}")
                         for s in today], empty="Nothing shipped yet today.")  # fmt: skip


def recent_shipments_reads(request) -> dict:
    return {"recent": selectors.recent_shipments_queryset()}


def recent_shipments_widget(request, *, rows) -> dict:
    recent = rows["recent"]
    return widget("recent", "Recent shipments",
                  items=[(s.get_absolute_url(), s.number, f"{s.order.customer.name}, {s.shipped_at:%Y-%m-%d}")
                         for s in recent], empty="No shipments yet.")  # fmt: skip


def on_time_reads(request) -> dict:
    return {"first_shipped": selectors.on_time_by_week_queryset()}


def on_time_widget(request, *, rows) -> dict:
    weeks = selectors.on_time_by_week_from(rows["first_shipped"])
    total = sum(t for _, t, _ in weeks)
    on_time = sum(o for _, _, o in weeks)
    rate = percent(on_time, total)
    chart = bar_chart([(f"Week of {w:%b %d}", percent(o, t)) for w, t, o in weeks],
                      title="On-time delivery by week (%)", unit="%", max_value=100)  # fmt: skip
    return widget("on-time", "On-time delivery, last 12 weeks", number="—" if rate is None else f"{rate}%",
                  note=f"{on_time} of {total} orders completed on or before their promised date.",
                  chart=chart)  # fmt: skip
