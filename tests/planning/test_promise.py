"""Capable to promise on a draft or pending order: its jobs planned into the current schedule, committed work
left where it is."""

import pytest
from django.urls import reverse
from django.utils import timezone

from planning.models import PlannedOperation
from planning.selectors import current_run
from planning.services import schedule_now
from planning.services.promise import capable_to_promise
from sales import services as sales_services
from tests.factories import CustomerFactory, CustomLineFactory, ItemFactory, SalesOrderFactory, SalesOrderLineFactory
from tests.jobs.factories import give_routing
from tests.scenarios import approved_order, client_for, page_queries

pytestmark = pytest.mark.django_db


def _draft(office, lines=1, quantity=40, custom=False):
    item = ItemFactory()
    give_routing(item, "SAW", "CNC", "INSP")
    order = SalesOrderFactory(customer=CustomerFactory(), created_by=office, lines=0)
    for n in range(1, lines + 1):
        SalesOrderLineFactory(order=order, line_no=n, item=item, quantity=quantity)
    if custom:
        CustomLineFactory(order=order, line_no=lines + 1, quantity=5)
    return order


def test_the_ship_date_waits_for_committed_work_and_moves_none(office, manager):
    for _ in range(3):
        approved_order(office, manager, quantity=40)  # 5 h a work center each
    order = _draft(office)
    empty = capable_to_promise(order=order, run=None)
    run = schedule_now(by=manager, seconds=1)
    before = list(PlannedOperation.objects.filter(run=run).values_list("operation_id", "start", "finish"))
    loaded = capable_to_promise(order=order, run=current_run())
    assert empty.finish < loaded.finish  # it waits for the machines the three orders hold
    assert loaded.ship_date == timezone.localdate(loaded.finish)
    assert [line.line_no for line, _finish in loaded.lines] == [1]
    assert list(PlannedOperation.objects.filter(run=run).values_list("operation_id", "start", "finish")) == before
    # Its INSP step comes after everything the schedule already has at INSP on the same single machine.
    last_insp = PlannedOperation.objects.filter(run=run, work_center__code="INSP").order_by("-finish").first()
    assert loaded.finish > last_insp.finish


def test_a_line_without_a_routing_is_named_not_promised(office):
    order = _draft(office, custom=True)
    promise = capable_to_promise(order=order, run=None)
    assert [line.line_no for line in promise.unrouted] == [2]
    assert [line.line_no for line, _ in promise.lines] == [1]


def test_the_order_page_shows_the_date_in_fixed_queries(client, office, manager):
    approved_order(office, manager)
    schedule_now(by=manager, seconds=1)
    small = _draft(office, lines=1)
    large = sales_services.sales_order_submit(order=_draft(office, lines=4, custom=True), by=office)
    client.force_login(manager)
    page = client.get(reverse("sales:order-detail", args=[small.pk])).content.decode()
    ship = capable_to_promise(order=small, run=current_run()).ship_date
    assert f'data-figure="ship-date">{ship:%Y-%m-%d}<' in page
    url = reverse("sales:order-detail", args=[small.pk])
    assert page_queries(client, url) == page_queries(client, reverse("sales:order-detail", args=[large.pk]))
    client.force_login(office)
    assert 'data-figure="ship-date"' not in client.get(url).content.decode()  # the Manager's, this round


def test_the_api_answers_for_a_draft_and_refuses_an_approved_order(office, manager):
    approved = approved_order(office, manager)
    schedule_now(by=manager, seconds=1)
    draft = _draft(office, custom=True)
    answer = client_for(manager).get(f"/api/v1/schedule/orders/{draft.pk}/promise/")
    assert answer.status_code == 200
    body = answer.json()
    expected = capable_to_promise(order=draft, run=current_run())
    assert body["earliest_ship_date"] == f"{expected.ship_date:%Y-%m-%d}" and body["unrouted_lines"] == [2]
    assert body["run"] == current_run().pk and [line["line_no"] for line in body["lines"]] == [1]
    refused = client_for(manager).get(f"/api/v1/schedule/orders/{approved.pk}/promise/")
    assert refused.status_code == 400 and "in the schedule already" in refused.json()["detail"]
    assert client_for(office).get(f"/api/v1/schedule/orders/{draft.pk}/promise/").status_code == 403
