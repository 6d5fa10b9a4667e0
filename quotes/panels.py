"""What the quotes app shows on other pages; registered from QuotesConfig.ready() (see mto/panels.py)."""

from mto import panels
from mto.panels import can

from . import selectors


def order_quote_reads(request, *, order) -> dict:
    return selectors.quote_for_order_reads(order=order)


def order_quote(request, *, order, rows) -> dict | None:
    """The quote an order was accepted from, with the break chosen per line (none: no panel)."""
    quote = selectors.quote_for_order_from(rows)
    return {"quote": quote} if quote else None


def register_panels() -> None:
    panels.register(page="order-detail", order=10, name="quotes.order-quote",
                    template="quotes/partials/order_panel.html", context=order_quote,
                    reads=order_quote_reads, reads_by_key=True, reads_shape=panels.keys_only,
                    visible=can("view_quotes"))  # fmt: skip
