"""Capable to promise in a real Chromium: on a pending order the manager sees both figures (the panel loads them
by htmx), promises the second with one click, and asks what if another order gets priority (tablet)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jobs.models import Job
from planning.services import schedule_now
from sales import services as sales_services
from sales.models import SalesOrderLine
from tests.e2e.helpers import DESKTOP, TABLET_PORTRAIT
from tests.factories import CustomerFactory, ItemFactory, SalesOrderFactory, SalesOrderLineFactory, ensure_role_groups
from tests.jobs.factories import give_routing
from tests.scenarios import approved_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_both_figures_promise_and_what_if(login_as, live_server, office, manager, axe_check):
    ensure_role_groups()
    later = timezone.localdate() + datetime.timedelta(days=60)
    committed = []
    for _ in range(3):
        order = approved_order(office, manager, quantity=40)
        SalesOrderLine.objects.filter(order=order).update(due_date=later)
        Job.objects.filter(sales_order=order).update(due_date=later)
        committed.append(order)
    schedule_now(by=manager, seconds=1)
    item = ItemFactory()
    give_routing(item, "SAW", "CNC", "INSP")
    draft = SalesOrderFactory(customer=CustomerFactory(), created_by=office, lines=0)
    SalesOrderLineFactory(order=draft, line_no=1, item=item, quantity=40,
                          due_date=timezone.localdate() + datetime.timedelta(days=3))  # fmt: skip
    pending = sales_services.sales_order_submit(order=draft, by=office)

    page = login_as("manager", DESKTOP)
    page.goto(f"{live_server.url}{pending.get_absolute_url()}")
    moving = page.locator('[data-figure="ship-date-moving"]')  # only in the partial htmx brings
    expect(moving).to_be_visible()
    expect(page.locator('[data-figure="ship-date"]')).to_have_count(1)
    axe_check(page)
    second = moving.inner_text()
    page.locator('[data-action="promise-second"]').click()
    expect(page.get_by_text(f"is promised for {second}")).to_be_visible()
    pending.refresh_from_db()
    assert f"{pending.promised_date:%Y-%m-%d}" == second

    tablet = login_as("manager", TABLET_PORTRAIT)
    tablet.goto(f"{live_server.url}/planning/orders/{committed[-1].pk}/what-if/")
    expect(tablet.get_by_role("heading", name=f"What if {committed[-1].number} gets priority?")).to_be_visible()
    expect(tablet.locator("svg[role=img]")).to_be_visible()
    assert tablet.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    axe_check(tablet)
