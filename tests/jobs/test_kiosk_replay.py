"""Kiosk taps kept through a network cut (issue 21): the offline queue replays them later, and each is done as the
operator who tapped it, even if that operator was signed off meanwhile (idle, Done, another operator badged in),
by the signed tap token the job screen was drawn with; a forged, expired or other kiosk's token is refused."""

import time
import uuid
from urllib.parse import unquote

import pytest
from django.core import signing

from jobs import kiosk, services
from jobs.models import JobNote, LaborEntry, Operation
from tests.jobs.kiosk_helpers import badge_in, first_job, kiosk_client, make_operator
from tests.scenarios import approved_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(office, manager):
    job = first_job(approved_order(office, manager, quantity=10))
    ops = list(job.operations.order_by("sequence"))
    client, device = kiosk_client(manager, ops[0].work_center)
    ann = make_operator(manager, "Ann", "Able")
    bob = make_operator(manager, "Bob", "Baker")
    return {"job": job, "op": ops[0], "ops": ops, "client": client, "device": device, "ann": ann, "bob": bob}


def _drawn_tap(client, job) -> str:
    """The tap token of the job screen as drawn for the operator badged in now (it is in the page)."""
    response = client.get(f"/kiosk/jobs/{job.pk}/")
    assert response.status_code == 200
    token = response.context["tap"]
    assert f'"X-Kiosk-Tap": "{token}"' in response.content.decode()
    return token


def _tap(client, url, tap, *, replay=True, key=None, **data):
    headers = {"HX-Request": "true", "X-Kiosk-Tap": tap, "Idempotency-Key": key or uuid.uuid4().hex}
    if replay:
        headers["X-Floor-Replay"] = "1"
    return client.post(url, data, headers=headers)


def _outcome(response) -> tuple[str, str]:
    return response.get("X-Action-Status"), unquote(response.get("X-Action-Message", ""))


def _op_url(op, action):
    return f"/kiosk/operations/{op.pk}/{action}/"


def _idle(client, settings):
    session = client.session
    session[kiosk.SESSION_SEEN] = time.time() - settings.KIOSK_IDLE_MINUTES * 60 - 5
    session.save()


def test_taps_replayed_after_the_idle_sign_off_are_done_as_who_tapped_them(shop, settings):
    client, job, op, ann = shop["client"], shop["job"], shop["op"], shop["ann"]
    badge_in(client, ann)
    tap = _drawn_tap(client, job)
    _idle(client, settings)  # the network came back after Ann's idle minutes: the server forgot her
    start = _tap(client, _op_url(op, "start"), tap)
    assert start.status_code == 200 and _outcome(start)[0] == "200", _outcome(start)
    version = start["X-Operation-Version"]
    key = uuid.uuid4().hex
    pieces = {f"op{op.pk}-good": 4, f"op{op.pk}-scrap": 0, f"op{op.pk}-version": version}
    report = _tap(client, _op_url(op, "report"), tap, key=key, **pieces)
    assert _outcome(report) == ("200", f"Reported 4 good on op 10 on {job.number}.")
    # The same tap sent again (its answer was lost) is done once.
    again = _tap(client, _op_url(op, "report"), tap, key=key, **pieces)
    assert _outcome(again)[0] == "200" and "done once" in _outcome(again)[1]
    note = _tap(client, f"/kiosk/jobs/{job.pk}/notes/", tap, text="Burr on the left edge")
    assert _outcome(note)[0] == "200"
    entry = LaborEntry.objects.get(operation=op)
    assert (entry.operator, entry.good_qty) == (ann.user, 4)
    assert Operation.objects.get(pk=op.pk).good_qty == 4
    assert JobNote.objects.get(job=job).by == ann.user
    # Replaying signed nobody in: the tablet still shows the badge screen.
    assert kiosk.SESSION_OPERATOR not in client.session
    assert client.get(f"/kiosk/jobs/{job.pk}/").status_code == 303


def test_a_replay_after_another_operator_badged_in_is_the_first_operators(shop):
    client, job, op, ann, bob = shop["client"], shop["job"], shop["op"], shop["ann"], shop["bob"]
    badge_in(client, ann)
    tap = _drawn_tap(client, job)
    badge_in(client, bob)  # Ann tapped Done, Bob badged in, and only then did Ann's kept tap go
    assert _outcome(_tap(client, _op_url(op, "start"), tap))[0] == "200"
    assert list(LaborEntry.objects.filter(operation=op).values_list("operator", flat=True)) == [ann.user.pk]
    assert client.session[kiosk.SESSION_OPERATOR] == bob.user.pk  # Bob is still the one badged in
    # Bob's own taps are his.
    assert _outcome(_tap(client, _op_url(op, "start"), _drawn_tap(client, job), replay=False))[0] == "200"
    on_it = set(LaborEntry.objects.filter(operation=op).values_list("operator", flat=True))
    assert on_it == {ann.user.pk, bob.user.pk}


def test_a_live_tap_on_someone_elses_screen_is_refused(shop):
    client, job, op, ann, bob = shop["client"], shop["job"], shop["op"], shop["ann"], shop["bob"]
    badge_in(client, ann)
    tap = _drawn_tap(client, job)
    badge_in(client, bob)
    response = _tap(client, _op_url(op, "start"), tap, replay=False)  # not a replay: Bob tapped Ann's old screen
    assert _outcome(response) == ("409", "That screen was someone else's; it was not done. Check and tap again.")
    assert response["HX-Redirect"] == "/kiosk/"
    assert not LaborEntry.objects.exists()


def test_a_forged_tap_token_is_refused(shop):
    client, job, op, ann, bob = shop["client"], shop["job"], shop["op"], shop["ann"], shop["bob"]
    badge_in(client, bob)
    device = shop["device"]
    forged = signing.dumps({"d": device.pk, "w": device.work_center_id, "o": ann.user.pk}, salt="another.salt")
    tampered = _drawn_tap(client, job).replace(str(bob.user.pk), str(ann.user.pk), 1) + "x"
    for token in (forged, tampered, "not-a-token"):
        status, message = _outcome(_tap(client, _op_url(op, "start"), token))
        assert (status, message) == ("409", "This tablet did not draw the screen it was tapped on."), token
    assert not LaborEntry.objects.exists()


class _Earlier(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 3600)


def test_an_expired_tap_token_is_refused_on_replay(shop, settings):
    client, op, ann = shop["client"], shop["op"], shop["ann"]
    settings.KIOSK_REPLAY_MINUTES = 30
    device = shop["device"]
    data = {"d": device.pk, "w": device.work_center_id, "o": ann.user.pk}
    old = _Earlier(salt=kiosk.TAP_SALT).sign_object(data, compress=True)  # drawn an hour ago
    status, message = _outcome(_tap(client, _op_url(op, "start"), old))
    assert status == "409" and "more than 30 minutes" in message
    assert not LaborEntry.objects.exists()
    # Within the window the same tap is taken.
    settings.KIOSK_REPLAY_MINUTES = 90
    assert _outcome(_tap(client, _op_url(op, "start"), old))[0] == "200"
    assert LaborEntry.objects.get(operation=op).operator == ann.user


def test_another_kiosks_tap_token_is_refused(shop, manager):
    job, op, ann = shop["job"], shop["op"], shop["ann"]
    other_saw, _device = kiosk_client(manager, op.work_center, name="second saw tablet")
    mill, _mill_device = kiosk_client(manager, shop["ops"][1].work_center, name="mill tablet")
    badge_in(other_saw, ann)
    tap = _drawn_tap(other_saw, job)  # drawn on the second saw tablet
    client = shop["client"]
    status, message = _outcome(_tap(client, _op_url(op, "start"), tap))
    assert status == "409" and "another kiosk" in message
    # And a tablet at another work center can act on none of this one's operations with it.
    elsewhere = mill.post(_op_url(op, "start"), headers={"X-Kiosk-Tap": tap, "X-Floor-Replay": "1"})
    assert elsewhere.status_code in (403, 409)
    assert not LaborEntry.objects.exists()


def test_the_operator_who_tapped_must_still_be_an_operator(shop, manager):
    client, job, op, ann = shop["client"], shop["job"], shop["op"], shop["ann"]
    badge_in(client, ann)
    tap = _drawn_tap(client, job)
    services.operator_update(profile=ann, by=manager, first_name="Ann", last_name="Able", labor_class=None,
                             hourly_rate=None, is_active=False)  # fmt: skip
    status, message = _outcome(_tap(client, _op_url(op, "start"), tap))
    assert status == "409" and "no longer operate" in message
    assert not LaborEntry.objects.exists()


def test_the_kiosk_screen_polls_and_redraws_when_another_tablet_changes_it(shop, manager):
    client, job, op, ann, bob = shop["client"], shop["job"], shop["op"], shop["ann"], shop["bob"]
    badge_in(client, ann)
    page = client.get(f"/kiosk/jobs/{job.pk}/")
    token = page.context["job"].kiosk_token
    assert f"?probe={token}" in page.content.decode() and 'hx-trigger="every 5s"' in page.content.decode()
    probe = client.get(f"/kiosk/jobs/{job.pk}/?probe={token}", headers={"HX-Request": "true"})
    assert probe.status_code == 204 and "HX-Trigger" not in probe
    # Bob joins on another tablet at the saw: no version moves, but the screen must show him.
    services.operator_join(operation=op, operator=bob.user)
    probe = client.get(f"/kiosk/jobs/{job.pk}/?probe={token}", headers={"HX-Request": "true"})
    assert probe["HX-Trigger"] == "refresh-screen"
    screen = client.get(f"/kiosk/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'id="floor-screen"' in screen and "<html" not in screen  # the screen alone, swapped in place
    assert "Bob Baker" in screen
    # A poll after the idle sign-off sends the whole page to the badge screen.
    client.post("/kiosk/sign-off/")
    gone = client.get(f"/kiosk/jobs/{job.pk}/?probe={token}", headers={"HX-Request": "true"})
    assert gone["HX-Redirect"] == "/kiosk/"
