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

On a page of PAGE_KEYS (the job's, the order's) a panel may also say `reads_shape`: (request, **objects) ->
what its reads branch on besides the keys (the job open or not, the order promisable or not; () for nothing).
When every shown panel with reads says so, the page's statement is compiled once per process and shape (the
panels shown and their shapes) from a stand-in object that has only the columns, its keys replaced by
stand-ins (mto.reads.KeptReads), and each request binds its real keys: Django compiled the job page's
seven panels' reads in 15 ms a request (docs/performance.md). The contract: such a panel's reads use the page's
object only as its keys' values (`job=job`, `lines__order_line_id=job.sales_order_line_id`), and branch only
on what `reads_shape` returns. Reads that are not (the SQL differs between two stand-ins, whose other integer
columns differ too) are never kept: the page reads as before, and says so in the log.

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
        reads_shape=lambda request, *, job: (bool(job.sales_order_line_id),),  # what the reads branch on
    )
"""

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
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
# Pages whose panels' reads may be compiled once (reads_shape): the object they read by, and its keys.
PAGE_KEYS = {
    "job-detail": ("job", ("pk", "sales_order_line_id")),
    "order-detail": ("order", ("pk",)),
}
log = logging.getLogger(__name__)


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
    reads_shape: Callable[..., Hashable] | None = None

    @property
    def source(self) -> str:
        return f"{self.context.__module__}.{self.context.__qualname__}"


_registry: dict[str, list[Panel]] = {page: [] for page in PAGES}


def keys_only(request, **objects) -> tuple:
    """reads_shape of a panel whose reads branch on nothing: the same reads for every object."""
    return ()


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
    reads_shape: Callable[..., Hashable] | None = None,
) -> Panel:
    """Add a panel to a page. Registering the same name again replaces it (ready() may run twice in tests)."""
    if page not in PAGES:
        raise ValueError(f"Unknown page {page!r}; pages are {', '.join(PAGES)}")
    if reads_shape is not None and (page not in PAGE_KEYS or not reads or not reads_by_key):
        raise ValueError(f"Panel {name}: reads_shape is for reads by key on a page of PAGE_KEYS")
    panel = Panel(page=page, order=order, name=name, template=template, context=context, visible=visible,
                  reads=reads, reads_by_key=reads_by_key, reads_shape=reads_shape)  # fmt: skip
    panels = [p for p in _registry[page] if p.name != name]
    clash = next((p for p in panels if p.order == order), None)
    if clash:
        raise ValueError(f"Panel {name} takes order {order} on {page}, which {clash.name} already has")
    _registry[page] = sorted([*panels, panel], key=lambda p: p.order)
    _kept.clear()
    return panel


def panels_for(page: str) -> list[Panel]:
    """The page's panels in the order they are shown."""
    return list(_registry[page])


def render(request, *, page: str, **objects) -> list[str]:
    """The HTML of the page's panels the user may see, in order (a context of None skips a panel). The visible
    panels' declared reads run first, all together."""
    shown = [panel for panel in _registry[page] if panel.visible(request.user)]
    fetched = _fetch(request, page, [panel for panel in shown if panel.reads], objects)
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


# Compiled reads by (page, panels, shapes): a KeptReads, or None where the reads are not by their keys alone.
_kept: dict[tuple, object] = {}


def _declared(request, with_reads: list[Panel], objects: dict) -> dict:
    declared = {}
    for panel in with_reads:
        for name, read in panel.reads(request, **objects).items():
            declared[f"{panel.name}:{name}"] = read
    return declared


def _fetch(request, page: str, with_reads: list[Panel], objects: dict) -> dict:
    by_key = all(panel.reads_by_key for panel in with_reads)
    keyed = PAGE_KEYS.get(page)
    if (
        not with_reads
        or keyed is None
        or not all(panel.reads_shape for panel in with_reads)
        or connections[DEFAULT_DB_ALIAS].vendor != "postgresql"
        or getattr(db_reads._together, "off", False)
    ):
        return db_reads.fetch(prepared=by_key, **_declared(request, with_reads, objects))
    name, attrs = keyed
    obj = objects[name]
    keys = tuple(getattr(obj, attr) for attr in attrs)
    shape = (page, tuple((p.name, p.reads_shape(request, **objects)) for p in with_reads))
    if shape not in _kept:

        def build(stand_in_keys):
            variant = db_reads.stand_ins(len(attrs)).index(stand_in_keys)
            return _declared(request, with_reads, {**objects, name: _stand_in(obj, attrs, stand_in_keys, variant)})

        try:
            _kept[shape] = db_reads.KeptReads(DEFAULT_DB_ALIAS, build, keys=len(attrs))
        except Exception as exc:  # not by the keys alone, or a read that needs more of the object than its columns
            # (a related row the stand-in's ids do not name): the reads of the real object, below, stand or fail.
            log.warning("Panels of %s read %s: not kept (%r)", page, [p.name for p in with_reads], exc)
            _kept[shape] = None
    kept = _kept[shape]
    if kept is None or not kept.bindable(keys):
        return db_reads.fetch(prepared=by_key, **_declared(request, with_reads, objects))
    return kept.fetch(keys)


def _stand_in(obj, attrs: tuple, keys: tuple, variant: int):
    """A new instance with only the object's columns (no related object, annotation or prefetched list a read could
    take a value from), its keys replaced. Its other integer columns (a parent's id, a quantity) differ between
    the two stand-ins (small values, in range of any integer field), so that a read using one of them as a value
    compiles differently for each and is not kept: only the keys may be values."""
    model = type(obj)
    stand_in = model(**{field.attname: getattr(obj, field.attname) for field in model._meta.concrete_fields})
    for position, field in enumerate(model._meta.concrete_fields):
        target = field.target_field if field.is_relation else field
        if field.attname not in attrs and field.attname != model._meta.pk.attname and _is_integer(target):
            setattr(stand_in, field.attname, 1_000 * (variant + 1) + position + 1)
    for attr, key in zip(attrs, keys, strict=True):
        setattr(stand_in, attr, key)
    stand_in._state.adding, stand_in._state.db = False, obj._state.db  # a saved row, as related filters ask
    return stand_in


def _is_integer(field) -> bool:
    return field.get_internal_type() in {
        "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
        "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
    }  # fmt: skip
