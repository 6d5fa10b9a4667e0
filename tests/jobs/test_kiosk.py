"""Kiosk tablets (issue 21): enrolment, the device session that opens only its work center's kiosk pages, badges
and PINs (throttled), the idle sign-off, every action recorded as the operator, and the query budgets."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from jobs import kiosk, services
from jobs.models import (
    Job,
    JobNote,
    KioskDevice,
    LaborEntry,
    Operation,
    OperationStatusChange,
    TimeEntry,
    WorkCenter,
)
from tests.jobs.kiosk_helpers import badge_in, first_job, kiosk_client, make_operator
from tests.scenarios import approved_order

pytestmark = pytest.mark.django_db

O = Operation.Status  # noqa: E741


@pytest.fixture
def shop(office, manager):
    order = approved_order(office, manager, quantity=10)
    job = first_job(order)
    ops = list(job.operations.order_by("sequence"))
    saw = ops[0].work_center
    client, device = kiosk_client(manager, saw)
    ann = make_operator(manager, "Ann", "Able", pin="4826")
    bob = make_operator(manager, "Bob", "Baker")
    return {"job": job, "ops": ops, "saw": saw, "client": client, "device": device, "ann": ann, "bob": bob}


def _post_op(client, op, action, operator, **data):
    return client.post(f"/kiosk/operations/{op.pk}/{action}/", {"operator": operator.pk, **data})


def test_a_manager_enrolls_this_tablet_and_is_signed_out(client, manager, office):
    order = approved_order(office, manager)
    saw = first_job(order).operations.order_by("sequence").first().work_center
    client.force_login(manager)
    response = client.post(reverse("jobs:kiosk-list"), {"work_center": saw.pk, "name": "Saw tablet"})
    assert response.status_code == 303 and response["Location"] == "/kiosk/"
    device = KioskDevice.objects.get(name="Saw tablet")
    assert device.work_center == saw and device.enrolled_by == manager
    assert kiosk.COOKIE in response.cookies and response.cookies[kiosk.COOKIE]["httponly"]
    # The manager's session is gone: the tablet is the work center's now, not theirs.
    assert "_auth_user_id" not in client.session
    assert client.get("/kiosk/").status_code == 200
    assert client.get(reverse("jobs:kiosk-list")).status_code == 403


def test_the_kiosk_reaches_only_its_own_work_centers_kiosk_pages(shop, manager, office):
    client, job, ops = shop["client"], shop["job"], shop["ops"]
    badge_in(client, shop["ann"])
    assert client.get(f"/kiosk/jobs/{job.pk}/").status_code == 200
    for url in ("/", "/jobs/", f"/jobs/{job.pk}/", "/jobs/floor/", f"/jobs/floor/jobs/{job.pk}/", "/sales/orders/",
                "/profile/", "/login/", "/admin/", "/api/v1/jobs/", "/api/v1/schema/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
    api = client.get("/api/v1/jobs/")
    assert api["Content-Type"].startswith("application/json") and api.json()["code"] == "kiosk_only"
    # POSTs too, even to the lead's floor and a manager's action.
    assert client.post(f"/jobs/floor/operations/{ops[0].pk}/start/").status_code == 403
    assert client.post(f"/jobs/{job.pk}/hold/", {"reason": "x"}).status_code == 403
    # Another work center's operation (CNC), and a job with no operation here.
    assert _post_op(client, ops[1], "start", shop["ann"].user).status_code == 403
    other = Job.objects.create(number="JM-990001", origin="stock", part_number="P", description="d", quantity=1,
                               due_date=job.due_date)  # fmt: skip
    Operation.objects.create(job=other, sequence=10, work_center=ops[1].work_center, description="mill")
    assert client.get(f"/kiosk/jobs/{other.pk}/").status_code == 403
    assert not LaborEntry.objects.exists()
    # Signed in as a manager on the same browser changes nothing: the tablet is a kiosk.
    client.force_login(manager)
    assert client.get("/jobs/").status_code == 403


def test_a_revoked_tablet_opens_nothing_and_loses_its_cookie(shop, manager):
    client, device = shop["client"], shop["device"]
    services.kiosk_revoke(device=device, by=manager)
    response = client.get("/kiosk/")
    assert response.status_code == 403
    assert response.cookies[kiosk.COOKIE].value == ""  # deleted
    # A forged cookie is no kiosk either.
    forged = Client()
    forged.cookies[kiosk.COOKIE] = kiosk.device_cookie_value(device, "guessed")
    assert forged.get("/kiosk/").status_code == 403


def test_badge_in_and_a_lost_badge_revoked_in_one_click(shop, manager):
    client, ann = shop["client"], shop["ann"]
    old = ann.badge_key
    badge_in(client, ann)
    assert "Ann Able" in client.get("/kiosk/").content.decode()
    client.post("/kiosk/sign-off/")
    # The manager revokes the lost badge from the operator's page: one POST.
    manager_client = Client()
    manager_client.force_login(manager)
    assert manager_client.post(reverse("jobs:operator-detail", args=[ann.pk]), {"what": "badge"}).status_code == 302
    response = client.post("/kiosk/badge/", {"badge": old}, follow=True)
    page = response.content.decode()
    assert "not known" in page and "Your shift" not in page
    ann.refresh_from_db()
    badge_in(client, ann)
    assert "Your shift" in client.get("/kiosk/").content.decode()


@pytest.mark.axes
def test_pins_are_throttled_like_passwords(shop, settings):
    client, ann = shop["client"], shop["ann"]
    url = f"/kiosk/pin/{ann.pk}/"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"password": "9999"})
        assert response.status_code == 400 and "not right" in response.content.decode()
    response = client.post(url, {"password": "9999"})
    assert response.status_code == 429 and "Too many wrong PINs" in response.content.decode()
    # Locked: even the right PIN does not badge in now.
    response = client.post(url, {"password": "4826"})
    assert response.status_code == 429
    assert "Your shift" not in client.get("/kiosk/").content.decode()
    # The PIN is never stored as typed in axes' log of the attempt.
    from axes.models import AccessAttempt

    assert "9999" not in "".join(AccessAttempt.objects.values_list("post_data", flat=True))


@pytest.mark.axes
def test_the_right_pin_badges_in(shop):
    client, ann = shop["client"], shop["ann"]
    response = client.post(f"/kiosk/pin/{ann.pk}/", {"password": "4826"})
    assert response.status_code == 303
    assert "Your shift" in client.get("/kiosk/").content.decode()


def test_a_pin_never_logs_anyone_in_off_a_kiosk(shop, client):
    """The PIN backend answers only an enrolled tablet: the login form with a PIN as password gets nowhere."""
    ann = shop["ann"]
    response = client.post("/login/", {"username": ann.user.username, "password": "4826"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_idle_operator_is_signed_off_by_the_server(shop, settings):
    client, job, ann = shop["client"], shop["job"], shop["ann"]
    badge_in(client, ann)
    session = client.session
    session[kiosk.SESSION_SEEN] = time.time() - settings.KIOSK_IDLE_MINUTES * 60 - 5
    session.save()
    response = _post_op(client, shop["ops"][0], "start", ann.user)
    assert response.status_code == 409 and "Badge in" in response.content.decode()  # refused, not "done"
    assert not LaborEntry.objects.exists()
    assert client.get(f"/kiosk/jobs/{job.pk}/").status_code == 303  # badge in again first
    page = client.get("/kiosk/").content.decode()
    assert "Badge in" in page


def test_the_page_goes_back_to_the_badge_screen_by_itself(shop, settings):
    client = shop["client"]
    badge_in(client, shop["ann"])
    page = client.get("/kiosk/").content.decode()
    assert f'data-kiosk-idle-seconds="{int(settings.KIOSK_IDLE_MINUTES * 60)}"' in page
    assert 'id="kiosk-sign-off"' in page and "js/kiosk.js" in page


def test_an_action_posted_as_someone_else_is_refused(shop):
    client, ann, bob = shop["client"], shop["ann"], shop["bob"]
    badge_in(client, bob)
    response = _post_op(client, shop["ops"][0], "start", ann.user)  # Ann's screen, replayed after Bob badged in
    assert response.status_code == 409 and "someone else" in response.content.decode()
    assert not LaborEntry.objects.exists()


def test_every_kiosk_action_records_the_operator(shop):
    client, job, ops, ann, bob = shop["client"], shop["job"], shop["ops"], shop["ann"], shop["bob"]
    op = ops[0]
    badge_in(client, ann)
    assert _post_op(client, op, "start", ann.user).status_code == 303
    assert _post_op(client, op, "report", ann.user, **{f"op{op.pk}-good": 3, f"op{op.pk}-scrap": 0}).status_code == 303
    assert client.post(f"/kiosk/jobs/{job.pk}/notes/", {"operator": ann.user.pk, "text": "Chips"}).status_code == 303
    badge_in(client, bob)
    assert _post_op(client, op, "start", bob.user).status_code == 303
    page = client.get(f"/kiosk/jobs/{job.pk}/").content.decode()
    assert "Ann Able" in page and "Bob Baker" in page  # both on it now
    assert _post_op(client, op, "report", bob.user, **{f"op{op.pk}-good": 2, f"op{op.pk}-scrap": 0}).status_code == 303
    # Finish with pieces unreported asks first (409 without the confirm), then finishes short when confirmed.
    version = Operation.objects.get(pk=op.pk).version
    response = _post_op(client, op, "finish", bob.user, version=version)
    assert response.status_code == 400 and "not reported yet" in response.content.decode()
    assert _post_op(client, op, "finish", bob.user, version=version, short="1").status_code == 303
    op.refresh_from_db()
    assert op.status == O.DONE and op.good_qty == 5
    labor = {e.operator_id: e for e in LaborEntry.objects.filter(operation=op)}
    assert labor[ann.user.pk].good_qty == 3 and labor[bob.user.pk].good_qty == 2
    assert TimeEntry.objects.get(operation=op).by == ann.user
    moves = dict(OperationStatusChange.objects.filter(operation=op).values_list("to_status", "changed_by"))
    assert moves[O.RUNNING] == ann.user.pk and moves[O.DONE] == bob.user.pk
    assert JobNote.objects.get(job=job).by == ann.user
    assert Operation.objects.get(pk=op.pk).updated_by == bob.user


def test_a_refused_report_keeps_what_was_typed(shop):
    client, op, ann = shop["client"], shop["ops"][0], shop["ann"]
    badge_in(client, ann)
    _post_op(client, op, "start", ann.user)
    response = _post_op(client, op, "report", ann.user, **{f"op{op.pk}-good": 4, f"op{op.pk}-scrap": 2})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="4"' in page and 'value="2"' in page and "Pick the reason" in page
    assert Operation.objects.get(pk=op.pk).good_qty == 0


def test_clock_in_out_and_indirect_time_on_the_kiosk(shop):
    client, ann = shop["client"], shop["ann"]
    badge_in(client, ann)
    assert client.post("/kiosk/shift/clock-in/", {"operator": ann.user.pk}).status_code == 303
    assert client.post("/kiosk/shift/clock-in/", {"operator": ann.user.pk}).status_code == 409
    assert (
        client.post("/kiosk/shift/indirect-start/", {"operator": ann.user.pk, "kind": "cleaning"}).status_code == 303
    )
    assert "Cleaning since" in client.get("/kiosk/").content.decode()
    assert client.post("/kiosk/shift/indirect-start/", {"operator": ann.user.pk, "kind": "nap"}).status_code == 400
    assert client.post("/kiosk/shift/clock-out/", {"operator": ann.user.pk}).status_code == 303
    assert "Not clocked in" in client.get("/kiosk/").content.decode()


def test_the_leads_floor_works_as_before_beside_a_kiosk(shop, lead):
    """A logged-in Shop floor lead on an ordinary tablet: start, report, finish as today (no labor entries)."""
    op = shop["ops"][0]
    lead_client = Client()
    lead_client.force_login(lead)
    assert lead_client.post(f"/jobs/floor/operations/{op.pk}/start/").status_code == 302
    lead_client.post(f"/jobs/floor/operations/{op.pk}/report/", {f"op{op.pk}-good": 10, f"op{op.pk}-scrap": 0})
    assert lead_client.post(f"/jobs/floor/operations/{op.pk}/finish/").status_code == 302
    op.refresh_from_db()
    assert op.status == O.DONE and op.good_qty == 10 and not LaborEntry.objects.exists()


def _queries(client, url, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_kiosk_pages_take_a_fixed_number_of_queries(shop, manager, office, django_assert_max_num_queries):
    client, job, op = shop["client"], shop["job"], shop["ops"][0]
    badge_in(client, shop["ann"])
    services.operator_join(operation=op, operator=shop["ann"].user)
    small = (_queries(client, "/kiosk/", django_assert_max_num_queries, 30),
             _queries(client, f"/kiosk/jobs/{job.pk}/", django_assert_max_num_queries, 30))  # fmt: skip
    # More operators on the operation, more notes, more work queued at the work center.
    for n in range(6):
        other = make_operator(manager, f"Extra{n}").user
        services.operator_join(operation=op, operator=other)
        services.job_add_note(job=job, text=f"note {n}", by=other)
    for _ in range(3):
        approved_order(office, manager)
    large = (_queries(client, "/kiosk/", django_assert_max_num_queries, 30),
             _queries(client, f"/kiosk/jobs/{job.pk}/", django_assert_max_num_queries, 30))  # fmt: skip
    assert small == large


def test_job_page_shows_labor_per_operator_in_fixed_queries(shop, manager, django_assert_max_num_queries):
    job, op = shop["job"], shop["ops"][0]
    manager_client = Client()
    manager_client.force_login(manager)
    services.operator_join(operation=op, operator=shop["ann"].user)
    url = reverse("jobs:job-detail", args=[job.pk])
    with django_assert_max_num_queries(80) as small:
        page = manager_client.get(url).content.decode()
    assert "Labor by operator" in page and "Ann Able" in page
    for n in range(5):
        other = make_operator(manager, f"More{n}").user
        services.operator_join(operation=op, operator=other)
        services.operator_leave(operation=op, operator=other)
    with django_assert_max_num_queries(80) as large:
        page = manager_client.get(url).content.decode()
    assert "More4" in page and "Labor cost by operator" in page  # the chart with its table
    assert len(small.captured_queries) == len(large.captured_queries)


def test_manager_pages_for_operators_and_kiosks(shop, manager):
    c = Client()
    c.force_login(manager)
    ann = shop["ann"]
    assert "Ann Able" in c.get(reverse("jobs:operator-list")).content.decode()
    detail = c.get(reverse("jobs:operator-detail", args=[ann.pk])).content.decode()
    assert "data:image/svg+xml" in detail and "Badge lost: revoke it" in detail
    badge = c.get(reverse("jobs:operator-badge", args=[ann.pk])).content.decode()
    assert "Ann Able" in badge and "data-print" in badge
    response = c.post(reverse("jobs:operator-list"), {"what": "operator", "first_name": "Cy", "hourly_rate": "28.50"})
    assert response.status_code == 302
    response = c.post(reverse("jobs:operator-detail", args=[ann.pk]), {"what": "pin", "pin": "12"})
    assert response.status_code == 400
    assert c.post(reverse("jobs:operator-list"), {"what": "labor-class", "name": "Setter", "hourly_rate": "33"})
    devices = c.get(reverse("jobs:kiosk-list")).content.decode()
    assert shop["device"].name in devices and shop["saw"].code in devices
    assert c.post(reverse("jobs:kiosk-revoke", args=[shop["device"].pk])).status_code == 302
    assert KioskDevice.objects.get(pk=shop["device"].pk).revoked_at is not None


def test_an_outside_work_center_cannot_have_a_kiosk(manager):
    plating = WorkCenter.objects.create(code="PLT", name="Plating", hourly_rate=0, is_outside=True)
    c = Client()
    c.force_login(manager)
    assert c.post(reverse("jobs:kiosk-list"), {"work_center": plating.pk}).status_code == 400


def test_every_kiosk_view_is_a_kiosk_view_without_the_login_check():
    """The device, not a login, opens kiosk pages: a view whose own dispatch dropped KioskMixin's decorator would
    send the tablet to the login page."""
    from jobs import kiosk_urls

    for pattern in kiosk_urls.urlpatterns:
        assert pattern.callback.login_required is False, pattern.name
        assert pattern.callback.view_class.kiosk_view, pattern.name


def test_an_operator_opens_an_ncr_from_scrap_on_the_kiosk(shop):
    from quality.models import NonConformance

    client, job, op, ann = shop["client"], shop["job"], shop["ops"][0], shop["ann"]
    badge_in(client, ann)
    _post_op(client, op, "start", ann.user)
    data = {f"op{op.pk}-good": 0, f"op{op.pk}-scrap": 2, f"op{op.pk}-scrap_reason": "Machine fault"}
    assert _post_op(client, op, "report", ann.user, **data).status_code == 303
    page = client.get(f"/kiosk/jobs/{job.pk}/").content.decode()
    assert "Scrap without an NCR" in page
    scrap = op.scrap_records.get()
    url = f"/kiosk/quality/scrap/{scrap.pk}/ncr/"
    assert url in page
    form = client.get(url)
    assert form.status_code == 200 and "Open an NCR" in form.content.decode()
    response = client.post(url, {"operator": ann.user.pk, "quantity": 2, "reason": "Machine fault",
                                 "submit_token": form.context["submit_token"]})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"/kiosk/jobs/{job.pk}/"
    ncr = NonConformance.objects.get(job=job)
    assert ncr.opened_by == ann.user and ncr.quantity == 2
    # Not another work center's scrap, not from an ordinary browser.
    assert Client().get(url).status_code == 403
