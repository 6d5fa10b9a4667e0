"""Send, margin approval, revise, decline, expire, accept into an order, and the jobs carrying the quote."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jobs.models import Job
from mto.models import Notification
from quotes import services
from quotes.models import Quote, QuoteStatusChange
from sales import services as sales_services
from sales.models import Customer, SalesOrder
from tests.factories import ItemFactory
from tests.jobs.factories import give_routing
from tests.scenarios import approved_order, bracket_line

D = Decimal
pytestmark = pytest.mark.django_db


def test_send_writes_an_email_to_the_contact_through_the_outbox(make_quote, office):
    quote = services.quote_send(quote=make_quote(rfq_reference="RFQ-88"), by=office)
    assert quote.status == Quote.Status.SENT and quote.sent_at is not None
    mail = Notification.objects.get(kind="quote_sent")
    assert mail.channel == "email" and mail.email == "ann@acme.example.com"
    assert quote.number in mail.subject and "RFQ-88" in mail.subject
    assert "10 pcs: 89.32 each, 893.20 total" in mail.body_text
    assert QuoteStatusChange.objects.filter(quote=quote, from_status="draft", to_status="sent").exists()


def test_send_refuses_without_an_address_and_sends_nothing(make_quote, office, customer):
    customer.email = ""
    customer.save()
    quote = make_quote(contact_email="")
    with pytest.raises(ValidationError, match="contact's e-mail"):
        services.quote_send(quote=quote, by=office)
    quote.refresh_from_db()
    assert quote.status == "draft" and not Notification.objects.filter(kind="quote_sent").exists()


def test_low_margin_needs_a_managers_approval_before_sending(make_quote, office, manager, settings):
    settings.QUOTE_MIN_MARGIN_PERCENT = D("25")  # the quote's margins are 23.1 %
    quote = make_quote()
    with pytest.raises(ValidationError, match="a Manager must approve"):
        services.quote_send(quote=quote, by=office)
    with pytest.raises(PermissionDenied):
        services.quote_approve_margin(quote=quote, by=office)
    services.quote_approve_margin(quote=quote, by=manager)
    quote.refresh_from_db()
    assert quote.margin_approved_by == manager and quote.margin_approved_percent == D("23.1")
    assert services.quote_send(quote=quote, by=office).status == "sent"


def test_an_edit_after_approval_withdraws_it(make_quote, office, manager, centers, settings):
    settings.QUOTE_MIN_MARGIN_PERCENT = D("25")
    quote = make_quote()
    services.quote_approve_margin(quote=quote, by=manager)
    services.quote_update(quote=quote, by=office, lines=[bracket_line(centers, markup_percent=D("5"))])
    with pytest.raises(ValidationError, match="a Manager must approve"):
        services.quote_send(quote=quote, by=office)


def test_a_margin_above_the_threshold_needs_no_approval(make_quote, manager):
    with pytest.raises(ValidationError, match="no approval needed"):
        services.quote_approve_margin(quote=make_quote(), by=manager)


def test_a_new_revision_keeps_the_sent_one_readable(make_quote, office, centers):
    sent = services.quote_send(quote=make_quote(), by=office)
    rev2 = services.quote_revise(quote=sent, by=office)
    sent.refresh_from_db()
    assert (sent.status, rev2.status, rev2.number, rev2.revision) == ("revised", "draft", sent.number, 2)
    assert rev2.label == f"{sent.number} rev 2" and rev2.previous == sent
    assert [b.quantity for b in rev2.lines.get().breaks.all()] == [1, 10, 100]
    assert rev2.lines.get().operations.count() == 2 and sent.lines.get().operations.count() == 2
    services.quote_update(quote=rev2, by=office, lines=[bracket_line(centers, breaks=[5])])
    assert [b.quantity for b in sent.lines.get().breaks.all()] == [1, 10, 100]
    with pytest.raises(ValidationError, match="only drafts can be edited"):
        services.quote_update(quote=sent, by=office, notes="x")


def test_decline_needs_a_reason_from_the_list(make_quote, office):
    quote = services.quote_send(quote=make_quote(), by=office)
    with pytest.raises(ValidationError, match="Pick why"):
        services.quote_decline(quote=quote, by=office, reason="too dear")
    declined = services.quote_decline(quote=quote, by=office, reason="competitor", note="Went with Beta")
    assert (declined.status, declined.decline_reason, declined.decline_note) == ("declined", "competitor",
                                                                                 "Went with Beta")  # fmt: skip
    assert (
        QuoteStatusChange.objects.get(quote=quote, to_status="declined").reason == "Lost to competitor: Went with Beta"
    )


def test_expiry_sweep_expires_only_sent_quotes_past_their_date(make_quote, office):
    old = services.quote_send(quote=make_quote(), by=office)
    draft = make_quote()
    fresh = services.quote_send(quote=make_quote(), by=office)
    later = timezone.localdate() + timedelta(days=365)
    Quote.objects.filter(pk=fresh.pk).update(valid_until=later)
    assert services.quote_expire_due(today=timezone.localdate() + timedelta(days=60)) == 1
    assert services.quote_expire_due(today=timezone.localdate() + timedelta(days=60)) == 0
    statuses = dict(Quote.objects.filter(pk__in=[old.pk, draft.pk, fresh.pk]).values_list("pk", "status"))
    assert statuses == {old.pk: "expired", draft.pk: "draft", fresh.pk: "sent"}


def test_accept_makes_the_order_with_the_chosen_breaks(make_quote, office, centers):
    item = ItemFactory(unit_price=D("99.00"))
    give_routing(item, "SAW")
    quote = make_quote(rfq_reference="RFQ-9")
    standard_line = {"item": item, "breaks": [5, 50], "materials": [{"description": "bar", "cost": D("10.00")}]}
    services.quote_update(quote=quote, by=office, lines=[bracket_line(centers), standard_line])
    quote = services.quote_send(quote=quote, by=office)
    custom, standard = quote.lines.order_by("line_no")
    order = services.quote_accept(quote=quote, by=office, breaks={custom.pk: 10, standard.pk: 50})
    assert order.status == SalesOrder.Status.DRAFT and order.customer == quote.customer
    assert order.customer_po == "RFQ-9"
    lines = list(order.lines.order_by("line_no"))
    assert [(ln.quantity, ln.unit_price, ln.drawing_number, ln.item) for ln in lines] == [
        (10, D("89.32"), "DWG-4471", None), (50, D("13.00"), "", item)]  # fmt: skip
    assert lines[0].due_date == timezone.localdate() + timedelta(days=quote.lead_time_days)
    quote.refresh_from_db()
    custom.refresh_from_db()
    assert quote.status == "accepted" and quote.sales_order == order and quote.acceptance.accepted_by == office
    assert custom.chosen_break.quantity == 10 and custom.sales_order_line == lines[0]


def test_accept_refuses_a_break_not_quoted_and_a_missing_line(make_quote, office):
    quote = services.quote_send(quote=make_quote(lines=2), by=office)
    first, second = quote.lines.order_by("line_no")
    with pytest.raises(ValidationError, match="every line"):
        services.quote_accept(quote=quote, by=office, breaks={first.pk: 10})
    with pytest.raises(ValidationError, match="no break of 7 pieces"):
        services.quote_accept(quote=quote, by=office, breaks={first.pk: 10, second.pk: 7})
    assert not SalesOrder.objects.exists()
    quote.refresh_from_db()
    assert quote.status == "sent"


def test_accept_twice_makes_one_order(make_quote, office):
    quote = services.quote_send(quote=make_quote(), by=office)
    line = quote.lines.get()
    services.quote_accept(quote=quote, by=office, breaks={line.pk: 10})
    with pytest.raises(ValidationError, match="already accepted") as refused:
        services.quote_accept(quote=quote, by=office, breaks={line.pk: 10})
    assert refused.value.code == "conflict"
    assert SalesOrder.objects.count() == 1


def test_accept_turns_a_prospect_into_a_customer_and_can_submit(make_quote, office):
    quote = make_quote(customer=None, prospect_name="Beta Tools GmbH", prospect_email="buy@beta.example.com",
                       contact_email="")  # fmt: skip
    quote = services.quote_send(quote=quote, by=office)
    assert Notification.objects.get(kind="quote_sent").email == "buy@beta.example.com"
    order = services.quote_accept(quote=quote, by=office, breaks={quote.lines.get().pk: 100}, submit=True)
    customer = Customer.objects.get(name="Beta Tools GmbH")
    assert order.customer == customer and customer.email == "buy@beta.example.com"
    assert order.status == SalesOrder.Status.PENDING_APPROVAL
    quote.refresh_from_db()
    assert quote.customer == customer


def test_an_expired_quote_cannot_be_accepted(make_quote, office):
    quote = services.quote_send(quote=make_quote(), by=office)
    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError, match="make a new revision"):
        services.quote_accept(quote=quote, by=office, breaks={quote.lines.get().pk: 10})


def test_approved_order_makes_jobs_with_the_quoted_routing_and_estimate(make_quote, office, manager, centers):
    item = ItemFactory()
    give_routing(item, "INSP")  # the item's default routing, which the quoted one replaces
    quote = make_quote()
    services.quote_update(quote=quote, by=office, lines=[bracket_line(centers, item=item, description="",
                                                                      drawing_number="")])  # fmt: skip
    cnc = quote.lines.get().operations.get(work_center__code="CNC")
    cnc.setup_factor, cnc.run_factor, cnc.factor_source = D("1.10"), D("1.20"), "CNC setups ran +10%"
    cnc.save()
    quote = services.quote_send(quote=quote, by=office)
    order = services.quote_accept(quote=quote, by=office, breaks={quote.lines.get().pk: 10}, submit=True)
    sales_services.sales_order_approve(order=order, by=manager)
    job = Job.objects.get(sales_order=order)
    ops = [(o.sequence, o.work_center.code, o.setup_hours, o.run_hours_per_piece) for o in job.operations.all()]
    assert ops == [(10, "SAW", D("0.500"), D("0.050")), (20, "CNC", D("2.200"), D("0.300"))]


def test_orders_not_from_quotes_keep_the_items_routing(office, manager):
    order = approved_order(office, manager)
    job = Job.objects.get(sales_order=order)
    assert [o.work_center.code for o in job.operations.all()] == ["SAW", "CNC", "INSP"]


def test_copy_routing_from_an_item_and_from_a_completed_job(make_quote, office, lead, centers):
    from tests.scenarios import completed_job

    quote = make_quote()
    line = quote.lines.get()
    item = ItemFactory()
    give_routing(item, "SAW", "DEBURR")
    services.quote_line_copy_routing(line=line, by=office, item=item)
    assert [o.work_center.code for o in line.operations.all()] == ["SAW", "DEBURR"]
    job = completed_job(by=lead, center=centers["CNC"], setup_est=D("3"), run_est=D("0.2"), setup_actual=D("3"),
                        run_actual=D("2"), pieces=10)  # fmt: skip
    services.quote_line_copy_routing(line=line, by=office, job=job)
    assert [(o.work_center.code, o.setup_hours) for o in line.operations.all()] == [("CNC", D("3.000"))]
    with pytest.raises(ValidationError, match="from an item, a completed job or another quote"):
        services.quote_line_copy_routing(line=line, by=office)


def test_roles_office_prepares_and_sends_others_may_not(make_quote, lead, clerk, office, centers, customer):
    for user in (lead, clerk):
        with pytest.raises(PermissionDenied):
            services.quote_create(by=user, customer=customer, lines=[bracket_line(centers)])
    quote = make_quote()
    with pytest.raises(PermissionDenied):
        services.quote_send(quote=quote, by=lead)
    assert services.quote_send(quote=quote, by=office).status == "sent"
