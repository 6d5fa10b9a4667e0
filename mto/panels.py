"""Page panels: what one app shows on another app's page, registered in one place and rendered in order.

A page (the home page, an order, a job) does not know the apps that add to it: each app registers its
panels from its `AppConfig.ready()` (by calling the `register_panels()` of its own `panels.py`), and the
page's view calls `render(request, page=..., **objects)` and shows the HTML it returns. A panel is a
template, a context function and a visibility test; nothing else runs. To see every panel of every page
and where it comes from: `python manage.py show_panels`.

A panel that reads the database declares its reads (mto.reads: querysets, counts, aggregates) in a `reads`
function; the page runs every visible panel's reads together (one statement on PostgreSQL) and hands each
panel its own results as `rows` ({name: result}). A panel stays independent: it sees only its own reads, and
`render()` of its page (or its context called with `reads.fetch(**its_reads(...))`) tests it alone. A panel
whose every read filters by a key (the job's, the order's) says `reads_by_key=True`; when every shown panel of a
page says so, their statement is prepared (mto.reads, `fetch(prepared=True)`: one plan for every key).

    panels.register(
        page="order-detail", order=20, name="jobs.order-jobs",
        template="jobs/partials/order_panel.html",
        context=order_jobs,                         # (request, order=...) -> dict, or None to show nothing
        visible=can("view_jobs"),                   # (user) -> bool, checked before the context is built
    )
    panels.register(
        page="job-detail", order=30, name="shipping.job-shipped", template="shipping/partials/job_panel.html",
        reads=job_shipped_reads,                    # (request, job=...) -> {name: queryset or reads.count(...)}
        context=job_shipped,                        # (request, job=..., rows={name: result}) -> dict or None
        reads_by_key=True,                          # every read filters by the job: the statement may be prepared
    )
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

from . import reads as db_reads

PAGES = {
    "home": "the home page (mto.views.HomeView); objects: none",
    "order-detail": "a sales order (sales.views.orders.SalesOrderDetailView); objects: order",
    "job-detail": "a job (jobs.views.JobDetailView); objects: job",
    "floor-job": "a job on the floor tablet (jobs.views.FloorJobView); objects: job",
    "shipment-detail": "a shipment (shipping.views.ShipmentDetailView); objects: shipment",
    "kiosk-job": "a job on a kiosk tablet (jobs.kiosk_views.KioskJobView); objects: job, kiosk (the device)",
}


@dataclass(frozen=True)
class Panel:
    page: str
    order: int
    name: str
    template: str
    context: Callable[..., dict | None]
    visible: Callable[..., bool]
    reads: Callable[..., dict] | None = None
    reads_by_key: bool = False

    @property
    def source(self) -> str:
        return f"{self.context.__module__}.{self.context.__qualname__}"


_registry: dict[str, list[Panel]] = {page: [] for page in PAGES}


def everyone(user) -> bool:
    return True


def can(*capabilities: str) -> Callable[..., bool]:
    """Visible to a user with any of the capabilities (`mto.<capability>`)."""

    def visible(user) -> bool:
        return any(user.has_perm(f"mto.{capability}") for capability in capabilities)

    visible.__qualname__ = f"can({', '.join(capabilities)})"
    return visible


def register(
    *,
    page: str,
    order: int,
    name: str,
    template: str,
    context: Callable[..., dict | None],
    visible: Callable[..., bool] = everyone,
    reads: Callable[..., dict] | None = None,
    reads_by_key: bool = False,
) -> Panel:
    """Add a panel to a page. Registering the same name again replaces it (ready() may run twice in tests)."""
    if page not in PAGES:
        raise ValueError(f"Unknown page {page!r}; pages are {', '.join(PAGES)}")
    panel = Panel(page=page, order=order, name=name, template=template, context=context, visible=visible,
                  reads=reads, reads_by_key=reads_by_key)  # fmt: skip
    panels = [p for p in _registry[page] if p.name != name]
    clash = next((p for p in panels if p.order == order), None)
    if clash:
        raise ValueError(f"Panel {name} takes order {order} on {page}, which {clash.name} already has")
    _registry[page] = sorted([*panels, panel], key=lambda p: p.order)
    return panel


def panels_for(page: str) -> list[Panel]:
    """The page's panels in the order they are shown."""
    return list(_registry[page])


def render(request, *, page: str, **objects) -> list[str]:
    """The HTML of the page's panels the user may see, in order (a context of None skips a panel). The visible
    panels' declared reads run first, all together."""
    shown = [panel for panel in _registry[page] if panel.visible(request.user)]
    declared = {}
    for panel in shown:
        for name, read in (panel.reads(request, **objects) if panel.reads else {}).items():
            declared[f"{panel.name}:{name}"] = read
    by_key = all(panel.reads_by_key for panel in shown if panel.reads)
    fetched = db_reads.fetch(prepared=by_key, **declared)
    html = []
    for panel in shown:
        if panel.reads:
            prefix = f"{panel.name}:"
            rows = {key[len(prefix) :]: value for key, value in fetched.items() if key.startswith(prefix)}
            context = panel.context(request, rows=rows, **objects)
        else:
            context = panel.context(request, **objects)
        if context is None:
            continue
        html.append(render_to_string(panel.template, context, request=request))
    return html
