"""Browser tests: Debian's Chromium driven by playwright against pytest-django's live_server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.helpers import AXE, CHROMIUM, DESKTOP, PASSWORD, log_in

# Playwright runs an event loop in this thread; the ORM calls made by the test setup are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def login(live_server):
    """login(page, username) signs a user in through the login form (password from tests.factories)."""

    def _login(page, username, password=PASSWORD):
        return log_in(page, live_server.url, username, password)

    return _login


@pytest.fixture
def login_as(browser, live_server):
    """login_as(username, viewport) signs a user in in a browser context of their own; returns its page.

    Each its own context, so several users can be signed in at once; all are closed after the test.
    """
    contexts = []

    def _login_as(username, viewport=DESKTOP, *, password=PASSWORD, init_script=None):
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        contexts.append(context)
        if init_script is not None:
            context.add_init_script(path=str(init_script))
        return log_in(context.new_page(), live_server.url, username, password)

    yield _login_as
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return _shot


@pytest.fixture
def axe_check():
    """Run axe-core in the page; fail on serious or critical violations."""

    def _check(page):
        # Colors mid-transition (a button just clicked fades for 0.15 s) are not the page's colors: axe would
        # measure the contrast of a blend. Let running transitions end first (endless animations, such as the
        # planning progress bar's stripes, never do and are not waited for).
        page.wait_for_function(
            "() => document.getAnimations().every((a) => a.playState !== 'running'"
            " || a.effect?.getComputedTiming().iterations === Infinity)"
        )
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], f"axe on {page.url}:\n" + "\n".join(bad)

    return _check


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which our Content-Security-Policy rightly refuses.
    return {**browser_context_args, "bypass_csp": True}
