"""Every page of every role through axe-core and a touch-target check, on a tablet held upright (800x1280).

The page list is the URL configuration itself: every pattern the resolver knows is either a page (visited
with ids of objects made here from the demo data), an action (POST only: a GET must answer 405, or 403
to a role without the right), or excluded below with the reason. A new pattern that is none of these fails
the test, so a new page cannot be left out silently. A page a role may not open must answer 403; which
roles may open a page is what its view declares (`capability`); the role table itself is tested in
tests/test_access.py.

One browser context per role; the whole crawl is one test so the demo data is made once.
"""

import re
import time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jobs import services as job_services
from jobs.models import Job, Operation, OperatorProfile, WorkCenter
from mto.demo import DEMO_PASSWORD
from mto.roles import CapabilityRequiredMixin, perm
from purchasing.models import PurchaseOrder, Vendor
from quotes import services as quote_services
from quotes.models import Quote
from sales import services as sales_services
from sales.models import ChangeItem, ChangeRequest, Customer, Item, SalesOrder, SalesOrderLine
from shipping import services as shipping_services
from shipping.models import Shipment
from shipping.selectors import order_lines_to_ship
from tests.e2e.helpers import AXE, TABLET_PORTRAIT
from tests.factories import CustomerFactory, ensure_role_groups
from tests.role_table import ROLE_NAMES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUPERUSER = "admin"
# The demo users; operators have no password (they badge in on a kiosk tablet: tests/e2e/test_kiosk.py).
ROLES = [*(r for r in ROLE_NAMES if r != "operator"), SUPERUSER]

# Route prefix (or URL name for a single pattern) -> why it is not crawled.
EXCLUDED = {
    "admin/": "Django's own admin site (its templates are Django's, not ours)",
    "api/v1/": "the JSON API; its docs page is drf-spectacular's Swagger UI",
    "login": "a signed-in user is sent on; the login page is checked signed out first",
    "kiosk/": "only an enrolled tablet opens them (403 to every browser here); tests/e2e/test_kiosk.py runs them",
    "purchasing:return-certificate": "a vendor's PDF (no page); the demo has no return with one yet",
    "purchasing:receipt-certificate": "a vendor's PDF (no page); tests/purchasing check the download",
}
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MIN_TARGET = 44  # css px, WCAG 2.5.5 and what mto.css promises for touch


def walk(patterns, prefix="", namespace=""):
    """(route, url name, view class) of every pattern under the resolver, includes flattened."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            view = getattr(p.callback, "view_class", None)
            yield prefix + str(p.pattern), f"{namespace}{p.name}" if p.name else None, view


def excluded(route, name):
    return any(route.startswith(k) for k in EXCLUDED if k.endswith("/")) or name in EXCLUDED


def may_open(user, view) -> bool:
    if view is None or not issubclass(view, CapabilityRequiredMixin):
        return True  # login is all these need (LoginRequiredMiddleware)
    caps = (view.capability,) if isinstance(view.capability, str) else view.capability
    return any(user.has_perm(perm(c)) for c in caps)  # a tuple names alternatives (mto.roles)


def demo_objects():
    """The demo's orders in every state, plus what it lacks: a draft change, a draft and a voided shipment,
    a job on hold, a drawing, and enough customers for a second page."""
    ensure_role_groups()  # an earlier transactional test flushed what the data migrations made
    call_command("seed_demo", stdout=StringIO())
    users = {u.username: u for u in get_user_model().objects.all()}
    office, manager, clerk = users["office"], users["manager"], users["clerk"]
    inspected = _quality_objects(users["lead"])  # before a running job is put on hold below
    orders = {o.customer_po: o for o in SalesOrder.objects.all()}
    draft_change = sales_services.change_request_open(order=orders["DEMO-1007"], by=office)
    first_line = orders["DEMO-1007"].lines.order_by("line_no").first()
    sales_services.change_item_add(change_request=draft_change, kind="quantity", line=first_line,
                                   quantity=first_line.quantity + 1, reason="More", by=office)  # fmt: skip
    custom = SalesOrderLine.objects.filter(order=orders["DEMO-1001"], item__isnull=True).first()
    drawing = sales_services.sales_order_attach_drawing(
        line=custom, upload=SimpleUploadedFile("plate.pdf", PDF, content_type="application/pdf"), by=office
    )
    partly = orders["DEMO-1010"]
    available = {line.pk: line.available for line in order_lines_to_ship(order=partly) if line.available}
    draft_shipment = shipping_services.shipment_create(order=partly, lines=available, by=clerk, carrier="UPS")
    voided = Shipment.objects.filter(order=orders["DEMO-1011"], status="shipped").first()
    shipping_services.shipment_transition(shipment=voided, name="void", by=manager, reason="Wrong pallet")
    running = Job.objects.filter(status="in_progress").order_by("id")
    job_services.job_act(job=running.last(), action="hold", by=manager, reason="Waiting for material")
    CustomerFactory.create_batch(26)  # the customer list pages
    draft_quote = Quote.objects.filter(status="draft").order_by("id").first()
    quote_drawing = quote_services.quote_line_attach_drawing(
        line=draft_quote.lines.order_by("line_no").first(), by=office,
        upload=SimpleUploadedFile("rfq.pdf", PDF, content_type="application/pdf"),
    )  # fmt: skip
    return {"orders": orders, "draft_change": draft_change, "drawing": drawing, "draft_shipment": draft_shipment,
            "partly": partly, "draft_quote": draft_quote, "quote_drawing": quote_drawing,
            "inspected": inspected}  # fmt: skip


def _quality_objects(lead):
    """The demo's inspected operation, with one more failed sample not yet on an NCR and a scrap report."""
    from quality import services as quality_services
    from quality.models import NonConformance

    op = NonConformance.objects.filter(status="open").order_by("id").first().operation
    diameter = op.characteristics.get(name="Journal diameter")
    quality_services.inspection_record(operation=op, sample_no=4, values={diameter.pk: "21.970"}, by=lead)
    job_services.operation_report_pieces(operation=op, good=0, scrap=1, scrap_reason="Other", by=lead)
    return op


def one_per(queryset, field):
    """One object for each value of `field` (a page per status looks different)."""
    seen = {}
    for obj in queryset.order_by("id"):
        seen.setdefault(getattr(obj, field), obj)
    return list(seen.values())


def pages(d):
    """URL name -> [(kwargs, query)] to visit, and the kind of answer: a page, a file or an htmx fragment."""
    customer = Customer.objects.filter(ship_tos__isnull=False).order_by("id").first()
    item = Item.objects.order_by("id").first()
    draft = d["orders"]["DEMO-1001"]
    change = d["draft_change"]
    jobs = one_per(Job.objects.all(), "status")
    floor_jobs = [j for j in jobs if j.status in ("released", "in_progress", "on_hold", "complete")]
    shipments = one_per(Shipment.objects.all(), "status")
    shipped = Shipment.objects.filter(status="shipped").order_by("id").first()
    line_of_change = change.items.first().line
    kinds = [(k, f"line={line_of_change.pk}" if k in ChangeItem.LINE_KINDS else "") for k in ChangeItem.Kind.values]
    from purchasing.models import OutsideOperation

    outside = OutsideOperation.objects.filter(ship_outs__isnull=False).order_by("id").first()
    from purchasing.models import MaterialRequirement

    waiting = MaterialRequirement.objects.filter(po_lines__isnull=True, issued_at__isnull=True).order_by("id").first()
    from jobs.reports import JobCostReportView
    from quotes.report_views import EstimateAccuracyReportView, QuoteOutcomeReportView
    from sales.reports import OrderBookReportView
    from shipping.reports import OnTimeReportView

    def report(view):
        return [({}, f"group={g}") for g in view.groups] or [({}, "")]

    none = [({}, "")]
    from planning.models import PlannedJob

    planned_orders = SalesOrder.objects.filter(pk__in=PlannedJob.objects.values("job__sales_order")).order_by("id")[:2]
    return {
        "home": ("page", none),
        "profile": ("page", none),
        "notification-list": ("page", none),
        "notification-preferences": ("page", none),
        "sales:report-order-book": ("page", report(OrderBookReportView)),
        "sales:customer-list": ("page", [({}, ""), ({}, "page=2")]),
        "sales:customer-create": ("page", none),
        "sales:customer-ship-tos": ("fragment", [({}, f"customer={customer.pk}")]),
        "sales:customer-detail": ("page", [({"pk": customer.pk}, "")]),
        "sales:customer-edit": ("page", [({"pk": customer.pk}, "")]),
        "sales:shipto-create": ("page", [({"pk": customer.pk}, "")]),
        "sales:shipto-edit": ("page", [({"pk": customer.ship_tos.first().pk}, "")]),
        "sales:item-list": ("page", none),
        "sales:item-create": ("page", none),
        "sales:item-detail": ("page", [({"pk": item.pk}, "")]),
        "sales:item-edit": ("page", [({"pk": item.pk}, "")]),
        "sales:order-list": ("page", none),
        "sales:order-create": ("page", none),
        "sales:order-detail": ("page", [({"pk": o.pk}, "") for o in d["orders"].values()]),
        "sales:order-edit": ("page", [({"pk": draft.pk}, "")]),
        "sales:order-acknowledgment": (
            "page",
            [({"pk": d["orders"]["DEMO-1014"].pk}, ""), ({"pk": d["orders"]["DEMO-1014"].pk}, "revision=0")],
        ),
        "sales:change-detail": ("page", [({"pk": c.pk}, "") for c in one_per(ChangeRequest.objects.all(), "status")]),
        "sales:change-item-create": ("page", [({"pk": change.pk, "kind": k}, q) for k, q in kinds]),
        "sales:change-item-edit": ("page", [({"item": change.items.first().pk}, "")]),
        "sales:drawing-download": ("file", [({"pk": d["drawing"].pk}, "")]),
        "jobs:report-job-cost": ("page", report(JobCostReportView)),
        "jobs:job-list": ("page", none),
        "jobs:job-create": ("page", none),
        "jobs:job-detail": ("page", [({"pk": j.pk}, "") for j in jobs]),
        "jobs:job-traveler": ("page", [({"pk": jobs[0].pk}, "")]),
        "jobs:operation-edit": ("page", [({"pk": Operation.objects.filter(status="pending").first().pk}, "")]),
        "jobs:operation-add": ("page", [({"pk": Operation.objects.filter(status="pending").first().job_id}, "")]),
        "jobs:work-center-list": ("page", none),
        "jobs:kiosk-list": ("page", none),
        "jobs:operator-list": ("page", none),
        "jobs:operator-detail": ("page", [({"pk": OperatorProfile.objects.order_by("id").first().pk}, "")]),
        "jobs:operator-badge": ("page", [({"pk": OperatorProfile.objects.order_by("id").first().pk}, "")]),
        "jobs:work-center-create": ("page", none),
        "jobs:work-center-edit": ("page", [({"pk": WorkCenter.objects.order_by("id").first().pk}, "")]),
        "jobs:floor-board": (
            "page",
            [({}, "")]
            + [
                ({}, f"wc={c}")
                for c in WorkCenter.objects.values_list("code", flat=True).filter(is_active=True).order_by("code")
            ],
        ),  # fmt: skip
        "jobs:floor-job": ("page", [({"pk": j.pk}, "") for j in floor_jobs]),
        "shipping:report-on-time": ("page", report(OnTimeReportView)),
        "shipping:ready-to-ship": ("page", none),
        "shipping:shipment-list": ("page", none),
        "shipping:shipment-create": ("page", [({"order": d["partly"].pk}, "")]),
        "shipping:shipment-detail": ("page", [({"pk": s.pk}, "") for s in shipments]),
        "shipping:shipment-edit": ("page", [({"pk": d["draft_shipment"].pk}, "")]),
        "shipping:packing-slip": ("page", [({"pk": shipped.pk}, "")]),
        "shipping:certificate": ("page", [({"pk": shipped.pk}, "")]),
        "shipping:bill-of-lading": ("page", [({"pk": shipped.pk}, "")]),
        "purchasing:po-list": ("page", [({}, ""), ({}, "status=sent")]),
        "purchasing:vendor-list": ("page", none),
        "purchasing:vendor-create": ("page", none),
        "purchasing:vendor-detail": ("page", [({"pk": v.pk}, "") for v in Vendor.objects.order_by("id")[:2]]),
        "purchasing:vendor-edit": ("page", [({"pk": Vendor.objects.order_by("id").first().pk}, "")]),
        "purchasing:po-create": ("page", none),
        "purchasing:po-detail": ("page", [({"pk": p.pk}, "") for p in one_per(PurchaseOrder.objects.all(), "status")]),
        "purchasing:po-edit": ("page", [({"pk": PurchaseOrder.objects.filter(status="draft").first().pk}, "")]),
        "purchasing:po-print": ("page", [({"pk": PurchaseOrder.objects.order_by("id").first().pk}, "")]),
        "purchasing:proposal": ("page", none),
        "purchasing:receiving": ("page", none),
        "purchasing:material-create": ("page", [({"job": waiting.job_id}, "")]),
        "purchasing:material-edit": ("page", [({"pk": waiting.pk}, "")]),
        "purchasing:material-issue": ("page", [({"pk": waiting.pk}, "")]),
        "purchasing:at-vendors": ("page", none),
        "purchasing:outside-detail": ("page", [({"pk": outside.pk}, "")]),
        "purchasing:vendor-packing-slip": ("page", [({"pk": outside.ship_outs.first().pk}, "")]),
        "planning:schedule": ("page", none),
        "planning:progress": ("fragment", none),
        "planning:gantt": ("page", [({}, ""), ({}, "work_center=CNC&days=30")]),
        "planning:order-gantt": ("page", [({"pk": o.pk}, "") for o in planned_orders]),
        "planning:load": ("page", none),
        "planning:order-promise": ("page", [({"pk": draft.pk}, "")]),
        "planning:order-what-if": ("page", [({"pk": o.pk}, "") for o in planned_orders] + [({"pk": draft.pk}, "")]),
        "planning:calendars": ("page", none),
        "planning:calendar-edit": (
            "page",
            [({"pk": c.pk}, "") for c in WorkCenter.objects.filter(is_outside=False, code__in=["CNC", "SAW"])],
        ),
        "quotes:quote-list": ("page", none),
        "quotes:quote-detail": ("page", [({"pk": q.pk}, "") for q in one_per(Quote.objects.all(), "status")]),
        "quotes:quote-print": ("page", [({"pk": q.pk}, "") for q in one_per(Quote.objects.all(), "status")]),
        "quotes:report-hit-rate": ("page", [(kw, f"{q}&from=2000-01-01") for kw, q in report(QuoteOutcomeReportView)]),
        "quotes:report-estimate-accuracy": ("page", report(EstimateAccuracyReportView) + [({}, "days=3650")]),
        "quotes:quote-create": ("page", none),
        "quotes:quote-edit": ("page", [({"pk": d["draft_quote"].pk}, "")]),
        "quotes:quote-form-row": ("fragment", [({}, "kind=op&line=abc123"), ({}, "kind=line")]),
        "quotes:quote-routing-sources": ("fragment", [({}, "line=abc123&q=br")]),
        "quotes:quote-routing-copy": (
            "fragment",
            [({}, f"line=abc123&item={Item.objects.filter(routing_steps__isnull=False).first().pk}")],
        ),  # fmt: skip
        "quotes:drawing-download": ("file", [({"pk": d["quote_drawing"].pk}, "")]),
        "quotes:line-characteristic-add": ("page", [({"pk": d["draft_quote"].lines.order_by("line_no")[0].pk}, "")]),
        **quality_pages(d["inspected"]),
    }


def quality_pages(inspected):
    from jobs.models import ScrapRecord
    from quality.models import FirstArticle, NonConformance
    from quality.reports import ParetoReportView

    ncrs = one_per(NonConformance.objects.all(), "status")
    remake = NonConformance.objects.filter(disposition="remake").order_by("id").first().remake_job
    planned = Item.objects.filter(inspection_plan__isnull=False).order_by("id").first()
    unplanned = Item.objects.filter(inspection_plan__isnull=True).order_by("id").first()
    scrap = ScrapRecord.objects.filter(ncr__isnull=True).order_by("id").first()
    return {
        "quality:ncr-list": ("page", [({}, ""), ({}, "status=open"), ({}, "status=dispositioned")]),
        "quality:ncr-detail": ("page", [({"pk": n.pk}, "") for n in ncrs]),
        "quality:ncr-from-scrap": ("page", [({"pk": scrap.pk}, "")]),
        "quality:ncr-from-inspection": ("page", [({"pk": inspected.pk}, "")]),
        "quality:inspect": ("page", [({"pk": inspected.pk}, ""), ({"pk": remake.operations.last().pk}, "")]),
        "quality:plan": ("page", [({"pk": planned.pk}, ""), ({"pk": unplanned.pk}, "")]),
        "quality:fai": ("page", [({"pk": f.pk}, "") for f in one_per(FirstArticle.objects.all(), "status")]),
        "quality:report-pareto": ("page", [({}, f"group={g}") for g in ParetoReportView.groups]),
        "quality:report-copq": ("page", [({}, "")]),
        "quality:report-fpy": ("page", [({}, "")]),
        **trace_pages(),
    }


def trace_pages():
    from quality.demo_trace import HEAT, PO
    from shipping.models import Shipment

    traced = Shipment.objects.get(order__customer_po=PO)
    plain = Shipment.objects.exclude(pk=traced.pk).order_by("id").first()
    return {
        "quality:recall": ("page", [({}, ""), ({}, f"lot={HEAT}"), ({}, "lot=NO-SUCH-HEAT")]),
        "quality:trace-shipment": ("page", [({"pk": traced.pk}, ""), ({"pk": plain.pk}, "")]),
        "quality:certificate-pack": ("file", [({"pk": traced.pk}, "")]),
    }


# Targets the house promises at 44 px or more: everything on the floor pages (inline links in running
# text excepted, as WCAG 2.5.8 does); elsewhere the navbar, pagination, buttons, form controls and the rows
# of checkboxes and switches (the label is the target: a 16 px box alone is not).
TOUCH_JS = """(min) => {
  const floor = document.body.classList.contains('floor');
  const sel = floor
    ? 'a, button, input:not([type=hidden]), select, textarea, .form-check-label'
    : '.navbar a, .navbar button, .pagination .page-link, .btn, .form-control, .form-select, .form-check-label';
  const small = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.matches('input[type=checkbox], input[type=radio]') && el.closest('.form-check')) continue;
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width <= 1 || r.height <= 1 || style.visibility === 'hidden') continue;  // hidden, visually-hidden
    if (floor && el.tagName === 'A' && style.display === 'inline' && el.closest('p, li, td, dd')) continue;
    if (r.width < min - 0.5 || r.height < min - 0.5) {
      const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.id || '').trim().slice(0, 30);
      const size = `${r.width.toFixed(0)}x${r.height.toFixed(0)}`;
      small.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${text}" ${size}`);
    }
  }
  return small;
}"""

AXE_JS = "async () => await axe.run(document, {resultTypes: ['violations']})"

# What axe-core 4 no longer reports (duplicate ids) or cannot know (a label that reads "[invalid name]",
# django-filter's placeholder for a filter without one; a page wider than the tablet).
PAGE_JS = """() => {
  const ids = {};
  for (const el of document.querySelectorAll('[id]')) ids[el.id] = (ids[el.id] || 0) + 1;
  const problems = Object.entries(ids).filter(([, n]) => n > 1).map(([id, n]) => `id="${id}" ${n} times`);
  if (document.body.innerText.includes('[invalid name]')) problems.push('a label reads "[invalid name]"');
  const width = document.documentElement.scrollWidth;  // WCAG 1.4.10: nothing cut off or scrolled sideways
  if (width > window.innerWidth) problems.push(`the page is ${width} px wide in ${window.innerWidth} px`);
  return problems;
}"""
# The job's routing table must fit a tablet held upright, not hide its last columns.
ROUTING_FITS_JS = """() => [...document.querySelectorAll('.routing-table')].map(
  e => e.scrollWidth <= e.clientWidth ? '' : `the routing table is ${e.scrollWidth} px wide in ${e.clientWidth} px`
).filter(Boolean)"""


def check_page(page, problems, label):
    result = page.evaluate(AXE_JS)
    for v in result["violations"]:
        if v["impact"] in ("serious", "critical"):
            targets = [n["target"] for n in v["nodes"]][:3]
            problems.append(f"{label}: axe {v['id']} ({v['impact']}): {v['help']} -> {targets}")
    for small in page.evaluate(TOUCH_JS, MIN_TARGET):
        problems.append(f"{label}: touch target under {MIN_TARGET} px: {small}")
    for problem in page.evaluate(PAGE_JS) + page.evaluate(ROUTING_FITS_JS):
        problems.append(f"{label}: {problem}")


def test_every_page_of_every_role(browser, live_server, login_as):
    started = time.monotonic()
    d = demo_objects()
    spec = pages(d)
    patterns = [(route, name, view) for route, name, view in walk(get_resolver().url_patterns)]
    actions, unknown = [], []
    for route, name, view in patterns:
        if excluded(route, name):
            continue
        if view is not None and (not hasattr(view, "get") or "get" not in view.http_method_names):
            actions.append((route, name, view))
        elif name not in spec:
            unknown.append(f"{route} ({name})")
    assert unknown == [], f"pages the crawl does not know how to fill in (add them to pages()): {unknown}"
    assert not set(spec) - {n for _r, n, _v in patterns}, "pages() names a URL that no longer exists"
    views = {name: view for _r, name, view in patterns}

    problems, visited, timings = [], 0, []
    context = browser.new_context(viewport=TABLET_PORTRAIT, bypass_csp=True)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    check_page(page, problems, "anonymous /login/")
    context.close()

    for username in ROLES:
        user = get_user_model().objects.get(username=username)
        page = login_as(username, TABLET_PORTRAIT, password=DEMO_PASSWORD, init_script=AXE)
        denied_seen = False
        for name, (kind, visits) in spec.items():
            allowed = may_open(user, views[name])
            # A role without the right is refused before any object is looked up: one variant says it all.
            for index, (kwargs, query) in enumerate(visits if allowed else visits[:1]):
                url = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
                label = f"{username} {url}"
                # In the browser: each page once per role, every variant (state, group, kind) as the superuser,
                # who sees every role's buttons; the 403 page once per role. The rest: the answer's status only.
                if kind != "page" or (denied_seen if not allowed else index > 0 and username != SUPERUSER):
                    status = page.request.get(live_server.url + url, max_redirects=0).status
                    assert status == (200 if allowed else 403), f"{label}: answered {status}"
                    continue
                began = time.monotonic()
                response = page.goto(live_server.url + url)
                visited += 1
                if not allowed:
                    assert response.status == 403, f"{label}: a page this role may not open answered {response.status}"
                    denied_seen = True
                else:
                    assert response.status == 200, f"{label}: answered {response.status}"
                    assert page.url == live_server.url + url, f"{label}: sent on to {page.url}"
                loaded = time.monotonic()
                check_page(page, problems, label)
                timings.append((time.monotonic() - began, loaded - began, label))
                if name == "home":  # the collapsed menu, opened
                    page.locator(".navbar-toggler").click()
                    page.locator("#main-nav.show").wait_for()
                    page.wait_for_timeout(400)  # the collapse animation
                    check_page(page, problems, f"{label} (menu open)")
        for route, _name, view in actions:
            # Any id will do: the capability is checked before the object is looked up, the method before both.
            url = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) in (None, "int") else "x", route)
            status = page.request.get(live_server.url + url, max_redirects=0).status
            expected = 405 if may_open(user, view) else 403
            assert status == expected, f"{username} GET {url} (an action, POST only): {status}, not {expected}"
        response = page.goto(f"{live_server.url}/no-such-page/")
        assert response.status == 404
        check_page(page, problems, f"{username} 404 page")
        page.context.close()
    elapsed = time.monotonic() - started
    print(f"\ncrawled {visited} pages and {len(actions)} actions for {len(ROLES)} roles in {elapsed:.0f} s")
    loading = sum(t[1] for t in timings)
    print(f"loading the pages {loading:.0f} s, checking them {sum(t[0] for t in timings) - loading:.0f} s; slowest:",
          ", ".join(f"{label} {t:.1f} s" for t, _, label in sorted(timings, reverse=True)[:5]))  # fmt: skip
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems)


def test_a_floor_action_fills_the_one_messages_region(page, live_server, office, manager, lead, login):
    """The routing answers an htmx action with the message out of band: still one #messages, now holding it."""
    from playwright.sync_api import expect

    from tests.scenarios import approved_order

    job = Job.objects.filter(sales_order=approved_order(office, manager)).get()
    page.set_viewport_size(TABLET_PORTRAIT)
    login(page, "lead")
    page.goto(live_server.url + job.get_floor_url())
    page.locator("section.card", has_text="10 · SAW").get_by_role("button", name="Start").click()
    expect(page.locator("#messages")).to_contain_text(f"Started op 10 on {job.number}.")
    assert page.locator("[id=messages]").count() == 1
