"""Every page and action, as anonymous, each role and a superuser, against DESIGN.md's role table.

Who may is tests/role_table.py (the table written out by hand), never mto/roles.py, which grants the rights.

The table below is generated into tests from the URL configuration: a URL without an entry fails
`test_every_url_has_an_access_rule` (deny by default), so a new page cannot ship without its rule.
Allowed means any answer but 403 or a login redirect; refused means 403; anonymous always goes to login.
"""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.role_table import ROLE_NAMES, may

USERS = [None, *ROLE_NAMES, "superuser"]
SKIPPED_NAMESPACES = {"admin", "api"}  # the admin has its own staff check; the API is tested in tests/api
PUBLIC = {"login", "logout"}  # open to everyone by design


@dataclass(frozen=True)
class Rule:
    capability: str | tuple[str, ...] | None  # None: any signed-in user; a tuple: any one of them
    method: str = "GET"
    # Names of objects in the `objects` fixture whose pk fills the URL, or "=literal" for a fixed value.
    args: tuple[str, ...] = ()


# Kiosk pages (issue 21) answer only an enrolled tablet (its device cookie), whoever is signed in: 403 for every
# ordinary browser, anonymous included (test_kiosk_pages_refuse_every_ordinary_browser; tests/jobs/test_kiosk.py).
KIOSK_ONLY = {
    "kiosk:home": Rule(None),
    "kiosk:badge": Rule(None, method="POST"),
    "kiosk:pin": Rule(None, args=("operator_profile",)),
    "kiosk:sign-off": Rule(None, method="POST"),
    "kiosk:attendance": Rule(None, method="POST", args=("=clock-in",)),
    "kiosk:job": Rule(None, args=("job",)),
    "kiosk:note": Rule(None, method="POST", args=("job",)),
    "kiosk:operation": Rule(None, method="POST", args=("operation", "=start")),
    "kiosk-quality:ncr-from-scrap": Rule(None, args=("scrap_record",)),
    "kiosk-quality:inspect": Rule(None, args=("operation",)),
    "kiosk-quality:ncr-from-inspection": Rule(None, args=("operation",)),
}


ACCESS: dict[str, Rule] = {
    "home": Rule(None),
    "notification-list": Rule(None),
    "profile": Rule(None),
    "notification-read-all": Rule(None, method="POST"),
    "notification-preferences": Rule(None),
    # Someone else's notification answers 404 (not 403): it is not theirs to know about.
    "notification-read": Rule(None, method="POST", args=("notification",)),
    # sales
    "sales:customer-list": Rule("view_orders"),
    "sales:customer-ship-tos": Rule("edit_orders"),
    "sales:customer-detail": Rule("view_orders", args=("customer",)),
    "sales:customer-create": Rule("manage_customers"),
    "sales:customer-edit": Rule("manage_customers", args=("customer",)),
    "sales:shipto-create": Rule("manage_customers", args=("customer",)),
    "sales:shipto-edit": Rule("manage_customers", args=("ship_to",)),
    "sales:item-list": Rule("view_orders"),
    "sales:item-detail": Rule("view_orders", args=("item",)),
    "sales:item-create": Rule("manage_customers"),
    "sales:item-edit": Rule("manage_customers", args=("item",)),
    "sales:order-list": Rule("view_orders"),
    "sales:order-create": Rule("edit_orders"),
    "sales:order-detail": Rule("view_orders", args=("order",)),
    "sales:order-edit": Rule("edit_orders", args=("order",)),
    "sales:order-acknowledgment": Rule("view_orders", args=("order",)),
    "sales:order-transition": Rule("approve_orders", method="POST", args=("pending_order", "=approve")),
    "sales:drawing-download": Rule("view_orders", args=("drawing",)),
    "sales:change-create": Rule("edit_orders", method="POST", args=("approved_order",)),
    "sales:change-detail": Rule("view_orders", args=("change",)),
    "sales:change-item-create": Rule("edit_orders", args=("change", "=add_line")),
    "sales:change-item-edit": Rule("edit_orders", args=("change_item",)),
    "sales:change-item-remove": Rule("edit_orders", method="POST", args=("change_item",)),
    "sales:change-action": Rule("edit_orders", method="POST", args=("change", "=submit")),
    "sales:change-action-approve": Rule("approve_orders", method="POST", args=("change", "=approve")),
    # jobs
    "jobs:job-list": Rule("view_jobs"),
    "jobs:report-job-cost": Rule("view_reports"),
    "sales:report-order-book": Rule("view_reports"),
    "shipping:report-on-time": Rule("view_reports"),
    "jobs:job-create": Rule("plan_jobs"),
    "jobs:job-detail": Rule("view_jobs", args=("job",)),
    "jobs:job-traveler": Rule("view_jobs", args=("job",)),
    "jobs:job-action": Rule("manage_jobs", method="POST", args=("job", "=release")),
    "jobs:operation-add": Rule("plan_jobs", args=("job",)),  # the form (GET); adding (POST) asks the same
    "jobs:operation-edit": Rule("plan_jobs", args=("operation",)),
    "jobs:operation-remove": Rule("plan_jobs", method="POST", args=("operation",)),
    "jobs:operation-reopen": Rule("manage_jobs", method="POST", args=("operation",)),
    "jobs:work-center-list": Rule("manage_jobs"),
    "jobs:work-center-create": Rule("manage_jobs"),
    "jobs:work-center-edit": Rule("manage_jobs", args=("work_center",)),
    "jobs:kiosk-list": Rule("manage_jobs"),
    "jobs:kiosk-revoke": Rule("manage_jobs", method="POST", args=("kiosk_device",)),
    "jobs:operator-list": Rule("manage_jobs"),
    "jobs:operator-detail": Rule("manage_jobs", args=("operator_profile",)),
    "jobs:operator-badge": Rule("manage_jobs", args=("operator_profile",)),
    "jobs:floor-board": Rule(("run_floor", "manage_jobs")),  # managers see it read-only
    "jobs:floor-job": Rule("run_floor", args=("job",)),
    "jobs:floor-note": Rule("run_floor", method="POST", args=("job",)),
    "jobs:floor-operation": Rule("run_floor", method="POST", args=("operation", "=start")),
    # shipping
    "shipping:ready-to-ship": Rule("view_shipments"),
    "shipping:shipment-list": Rule("view_shipments"),
    "shipping:shipment-create": Rule("ship", args=("approved_order",)),
    "shipping:shipment-detail": Rule("view_shipments", args=("shipment",)),
    "shipping:shipment-edit": Rule("ship", args=("shipment",)),
    "shipping:packing-slip": Rule("view_shipments", args=("shipment",)),
    "shipping:certificate": Rule("view_shipments", args=("shipment",)),
    "shipping:bill-of-lading": Rule("view_shipments", args=("shipment",)),
    "shipping:shipment-transition": Rule("ship", method="POST", args=("shipment", "=cancel")),
    # purchasing
    "purchasing:po-list": Rule("view_purchasing"),
    "purchasing:vendor-list": Rule("view_purchasing"),
    "purchasing:vendor-create": Rule("buy"),
    "purchasing:vendor-detail": Rule("view_purchasing", args=("vendor",)),
    "purchasing:vendor-edit": Rule("buy", args=("vendor",)),
    "purchasing:po-create": Rule("buy"),
    "purchasing:po-detail": Rule("view_purchasing", args=("purchase_order",)),
    "purchasing:po-edit": Rule("buy", args=("purchase_order",)),
    "purchasing:po-print": Rule("view_purchasing", args=("purchase_order",)),
    "purchasing:po-transition": Rule("buy", method="POST", args=("purchase_order", "=send")),
    "purchasing:proposal": Rule("buy"),
    "purchasing:receiving": Rule("receive"),
    "purchasing:receive-line": Rule("receive", method="POST", args=("purchase_order_line",)),
    # planning
    "planning:schedule": Rule("plan_jobs"),
    "planning:progress": Rule("plan_jobs"),
    "planning:run": Rule("plan_jobs", method="POST"),
    "planning:gantt": Rule("plan_jobs"),
    "planning:order-gantt": Rule("plan_jobs", args=("approved_order",)),
    "planning:load": Rule("plan_jobs"),
    "planning:order-promise": Rule("plan_jobs", args=("order",)),
    "planning:order-promise-set": Rule("edit_orders", method="POST", args=("order",)),
    "planning:order-what-if": Rule("plan_jobs", args=("approved_order",)),
    "planning:calendars": Rule("manage_jobs"),
    "planning:calendar-edit": Rule("manage_jobs", args=("work_center",)),
    "planning:holiday-add": Rule("manage_jobs", method="POST"),
    "planning:holiday-remove": Rule("manage_jobs", method="POST", args=("holiday",)),
    # quotes
    "purchasing:material-create": Rule("buy", args=("job",)),
    "purchasing:material-edit": Rule("buy", args=("requirement",)),
    "purchasing:material-issue": Rule("buy", args=("requirement",)),
    "purchasing:material-remove": Rule("buy", method="POST", args=("requirement",)),
    "purchasing:at-vendors": Rule("view_purchasing"),
    "purchasing:outside-detail": Rule("view_purchasing", args=("outside_operation",)),
    "purchasing:outside-edit": Rule("buy", method="POST", args=("outside_operation",)),
    "purchasing:outside-ship-out": Rule("receive", method="POST", args=("outside_operation",)),
    "purchasing:outside-receive-back": Rule("receive", method="POST", args=("outside_operation",)),
    "purchasing:vendor-packing-slip": Rule("view_purchasing", args=("ship_out",)),
    "purchasing:receipt-certificate": Rule("view_purchasing", args=("receipt",)),
    "purchasing:return-certificate": Rule("view_purchasing", args=("vendor_return",)),
    # quality
    "quality:ncr-list": Rule("view_quality"),
    "quality:ncr-detail": Rule("view_quality", args=("ncr",)),
    "quality:ncr-disposition": Rule("disposition_ncrs", method="POST", args=("ncr",)),
    "quality:ncr-close": Rule("disposition_ncrs", method="POST", args=("ncr",)),
    "quality:ncr-from-scrap": Rule("open_ncrs", args=("scrap_record",)),
    "quality:ncr-from-inspection": Rule("open_ncrs", args=("operation",)),
    "quality:inspect": Rule("record_inspections", args=("operation",)),
    "quality:plan": Rule("view_quality", args=("item",)),
    "quality:plan-add": Rule("edit_quality_plans", method="POST", args=("item",)),
    "quality:plan-remove": Rule("edit_quality_plans", method="POST", args=("plan_characteristic",)),
    "quality:recall": Rule("trace_shipments"),
    "quality:trace-shipment": Rule("trace_shipments", args=("shipment",)),
    "quality:certificate-pack": Rule("print_certificate_packs", args=("shipment",)),
    "quality:fai": Rule("view_quality", args=("first_article",)),
    "quality:fai-accept": Rule("accept_first_articles", method="POST", args=("first_article",)),
    "quality:fai-reject": Rule("accept_first_articles", method="POST", args=("first_article",)),
    # Quality (disposition_ncrs) or a Manager (manage_jobs): the same roles as disposition_ncrs.
    "quality:remake-accept": Rule("disposition_ncrs", method="POST", args=("remake_proposal",)),
    "quality:remake-dismiss": Rule("disposition_ncrs", method="POST", args=("remake_proposal",)),
    "quality:report-pareto": Rule("view_quality_reports"),
    "quality:report-copq": Rule("view_quality_reports"),
    "quality:report-fpy": Rule("view_quality_reports"),
    "quotes:quote-list": Rule("view_quotes"),
    "quotes:quote-detail": Rule("view_quotes", args=("quote",)),
    "quotes:quote-action": Rule("edit_quotes", method="POST", args=("quote", "=send")),
    "quotes:quote-approve-margin": Rule("approve_quotes", method="POST", args=("quote",)),
    "quotes:quote-apply-accuracy": Rule("edit_quotes", method="POST", args=("quote",)),
    "quotes:quote-print": Rule("view_quotes", args=("quote",)),
    "quotes:report-hit-rate": Rule("view_reports"),
    "quotes:report-estimate-accuracy": Rule("view_reports"),
    "quotes:quote-create": Rule("edit_quotes"),
    "quotes:quote-edit": Rule("edit_quotes", args=("quote",)),
    "quotes:quote-preview": Rule("edit_quotes", method="POST"),
    "quotes:quote-form-row": Rule("edit_quotes"),
    "quotes:quote-routing-sources": Rule("edit_quotes"),
    "quotes:quote-routing-copy": Rule("edit_quotes"),
    "quotes:drawing-download": Rule("view_quotes", args=("quote_drawing",)),
    # The form (GET, fetched when the quote page's section opens); adding (POST) asks the same.
    "quotes:line-characteristic-add": Rule("edit_quotes", args=("quote_line",)),
    "quotes:line-characteristic-remove": Rule("edit_quotes", method="POST", args=("quote_characteristic",)),
}


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from _url_names(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_has_an_access_rule():
    missing = sorted(
        set(_url_names()) - ACCESS.keys() - PUBLIC - KIOSK_ONLY.keys()
    )  # "-approve" entries are extra cases
    assert missing == [], f"URLs without an access rule (add them to ACCESS): {missing}"


def _allowed(user_fixture: str, rule: Rule) -> bool:
    if rule.capability is None:
        return True
    capabilities = (rule.capability,) if isinstance(rule.capability, str) else rule.capability
    return may(user_fixture, *capabilities)


@pytest.fixture
def objects(db, office, manager):
    """One of each object a URL can point at."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sales import services as sales_services
    from tests.factories import CustomerFactory, CustomLineFactory, ItemFactory, SalesOrderFactory

    customer = CustomerFactory()
    order = SalesOrderFactory(customer=customer, created_by=office)
    line = CustomLineFactory(order=order, line_no=2)
    drawing = sales_services.sales_order_attach_drawing(
        line=line, upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4 test"), by=office
    )
    pending = sales_services.sales_order_submit(order=SalesOrderFactory(customer=customer), by=office)
    from jobs.models import Job
    from tests.scenarios import approved_order

    approved = approved_order(office, manager)
    job = Job.objects.filter(sales_order=approved).first()
    from shipping.models import Shipment

    shipment = Shipment.objects.create(
        number="SH-900001", order=approved, ship_to="Dock", created_by=office
    )  # a draft made directly: the matrix only needs something to point at
    from mto.models import Notification

    notification = Notification.objects.filter(channel="in_app").first() or Notification.objects.create(
        kind="new_jobs", channel="in_app", recipient=office, subject="x", body_text="x"
    )
    change = sales_services.change_request_open(order=approved, by=office)
    change_item = sales_services.change_item_add(
        change_request=change, kind="promised_date", date=approved.order_date, reason="Customer call", by=office
    )
    from quotes import services as quote_services
    from tests.scenarios import bracket_line

    centers = {code: job.operations.first().work_center for code in ("SAW", "CNC")}
    quote = quote_services.quote_create(by=office, customer=customer, contact_email="a@example.com",
                                        lines=[bracket_line(centers)])  # fmt: skip
    from tests.scenarios import vendor

    supplier = vendor("ACCESS")
    from purchasing import services as purchasing_services

    purchase_order = purchasing_services.purchase_order_create(
        vendor=supplier,
        by=manager,
        lines=[
            {"description": "Shop rags", "quantity": 2, "unit": "lot", "unit_cost": 5, "due_date": approved.order_date}
        ],
    )
    from purchasing.models import OutsideOperation, Receipt, ShipOut, VendorReturn

    # Made directly: the matrix only needs something to point at.
    outside = OutsideOperation.objects.create(operation=job.operations.last(), pieces_sent=1, pieces_back_good=1)
    ship_out = ShipOut.objects.create(number="VS-900001", outside_operation=outside, quantity=1, shipped_by=office)
    vendor_return = VendorReturn.objects.create(outside_operation=outside, good=1, received_by=office)
    quote_drawing = quote_services.quote_line_attach_drawing(
        line=quote.lines.get(), upload=SimpleUploadedFile("q.pdf", b"%PDF-1.4 q"), by=office
    )
    requirement = purchasing_services.requirement_add(job=job, by=manager, description="Bar", quantity=1)
    from jobs.models import ScrapRecord
    from quality.models import NonConformance, PlanCharacteristic

    # Made directly: the matrix only needs something to point at.
    scrap = ScrapRecord.objects.create(operation=job.operations.first(), quantity=1, reason="Other", by=office)
    ncr = NonConformance.objects.create(
        number="NCR-900001",
        job=job,
        operation=scrap.operation,
        quantity=1,
        work_center=scrap.operation.work_center,
        reason="Other",
        opened_by=office,
    )
    item = job.sales_order_line.item
    plan_line = PlanCharacteristic.objects.create(item=item, operation_sequence=10, name="Look", kind="attribute")
    from jobs import services as job_services
    from planning.models import Holiday
    from quality.models import FirstArticle, RemakeProposal
    from quotes.models import QuoteLineCharacteristic

    operator_profile = job_services.operator_create(first_name="Access", last_name="Operator", by=manager, pin="4826")
    kiosk_device, _secret = job_services.kiosk_enroll(work_center=job.operations.first().work_center, name="t",
                                                      by=manager)  # fmt: skip
    return {
        "quote_line": quote.lines.get(),
        "quote_characteristic": QuoteLineCharacteristic.objects.create(
            line=quote.lines.get(), name="Look", operation_sequence=10, kind="attribute"
        ),
        "first_article": FirstArticle.objects.create(job=job, reason="new_revision", part_number=job.part_number),
        "remake_proposal": RemakeProposal.objects.create(job=job, quantity=1),
        "operator_profile": operator_profile,
        "kiosk_device": kiosk_device,
        "requirement": requirement,
        "scrap_record": scrap,
        "ncr": ncr,
        "plan_characteristic": plan_line,
        "holiday": Holiday.objects.create(date=approved.order_date, name="Access"),
        "vendor": supplier,
        "purchase_order": purchase_order,
        "purchase_order_line": purchase_order.lines.get(),
        "outside_operation": outside,
        "ship_out": ship_out,
        "vendor_return": vendor_return,
        "receipt": Receipt.objects.create(po_line=purchase_order.lines.get(), quantity=1, received_by=office),
        "quote": quote,
        "quote_drawing": quote_drawing,
        "change": change,
        "change_item": change_item,
        "notification": notification,
        "approved_order": approved,
        "shipment": shipment,
        "job": job,
        "operation": job.operations.first(),
        "work_center": job.operations.first().work_center,
        "customer": customer,
        "ship_to": customer.ship_tos.first(),
        "item": ItemFactory(),
        "order": order,
        "pending_order": pending,
        "drawing": drawing,
    }


@pytest.mark.parametrize("user_fixture", USERS)
@pytest.mark.parametrize("name", sorted(ACCESS))
def test_access(request, client, objects, name, user_fixture):
    rule = ACCESS[name]
    url = reverse(
        name.removesuffix("-approve"), args=[a[1:] if a.startswith("=") else objects[a].pk for a in rule.args]
    )
    if user_fixture:
        client.force_login(request.getfixturevalue(user_fixture))
    response = client.generic(rule.method, url)
    login_redirect = response.status_code == 302 and response["Location"].startswith("/login/")
    if user_fixture is None:
        assert login_redirect, f"anonymous {rule.method} {url} -> {response.status_code}"
    elif _allowed(user_fixture, rule):
        assert response.status_code != 403 and not login_redirect, f"{user_fixture} refused {url}"
        assert response.status_code < 500
    else:
        assert response.status_code == 403, f"{user_fixture} {rule.method} {url} -> {response.status_code}"


@pytest.mark.parametrize("user_fixture", USERS)
def test_kiosk_pages_refuse_every_ordinary_browser(request, client, objects, user_fixture):
    """Without an enrolled tablet's cookie every kiosk page answers 403, signed in or not, whatever the role."""
    if user_fixture:
        client.force_login(request.getfixturevalue(user_fixture))
    for name, rule in KIOSK_ONLY.items():
        url = reverse(name, args=[a[1:] if a.startswith("=") else objects[a].pk for a in rule.args])
        response = client.generic(rule.method, url)
        assert response.status_code == 403, f"{user_fixture} {rule.method} {url} -> {response.status_code}"
