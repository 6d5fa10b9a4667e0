"""A badge read by the kiosk tablet's camera (issue 21): Chromium's fake camera plays a video of the operator's
printed badge (its QR code, made as the badge page makes it), the badge screen's "Use camera" reads it and badges
the operator in. Headless Chromium on Linux has no BarcodeDetector, so this exercises the vendored jsQR path; the
test says which decoder the page used."""

import pytest
import segno
from playwright.sync_api import expect

from jobs import kiosk, services
from tests.e2e.helpers import CHROMIUM, TABLET_PORTRAIT
from tests.jobs.factories import WorkCenterFactory
from tests.jobs.kiosk_helpers import make_operator

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 640, 480


def _badge_video(path, code: str) -> None:
    """A y4m video (what Chromium's fake camera plays) of the badge's QR code, dark on white, centred."""
    rows = [list(row) for row in segno.make(code, error="m").matrix_iter(scale=8, border=4)]
    top, left = (HEIGHT - len(rows)) // 2, (WIDTH - len(rows[0])) // 2
    luma = bytearray([235]) * (WIDTH * HEIGHT)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                luma[(top + y) * WIDTH + left + x] = 16
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(2):
            out.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


def test_an_operator_badges_in_with_the_tablet_camera(live_server, manager, playwright, tmp_path,
                                                       browser_type_launch_args):  # fmt: skip
    saw = WorkCenterFactory(code="SAW")
    ann = make_operator(manager, "Ann", "Able")
    device, secret = services.kiosk_enroll(work_center=saw, name="Saw tablet", by=manager)
    video = tmp_path / "badge.y4m"
    _badge_video(video, ann.badge_key)

    args = [*browser_type_launch_args["args"], "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"]  # fmt: skip
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    try:
        context = browser.new_context(viewport=TABLET_PORTRAIT)
        context.grant_permissions(["camera"], origin=live_server.url)
        context.add_cookies([{"name": kiosk.COOKIE, "value": kiosk.device_cookie_value(device, secret),
                              "url": live_server.url}])  # fmt: skip
        page = context.new_page()
        page.goto(live_server.url + "/kiosk/")
        expect(page.get_by_role("heading", name="Badge in")).to_be_visible()
        camera = page.get_by_role("button", name="Use camera")
        box = camera.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48
        # Which decoder this Chromium gives the page (headless on Linux: none of its own, so jsQR).
        assert page.evaluate("'BarcodeDetector' in window") is False, "this Chromium has BarcodeDetector: say so"
        camera.click()
        expect(page.locator("#kiosk-operator")).to_contain_text("Ann Able", timeout=15_000)
        expect(page.locator("#messages")).to_contain_text("Hello Ann Able.")
    finally:
        browser.close()
