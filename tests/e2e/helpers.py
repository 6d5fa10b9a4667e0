"""What the browser tests share: viewports, axe-core, and the one way they sign in (through the login form)."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"
DESKTOP = {"width": 1440, "height": 900}
TABLET_LANDSCAPE = {"width": 1280, "height": 800}
TABLET_PORTRAIT = {"width": 800, "height": 1280}
PASSWORD = "pw-for-tests-1"  # tests.factories.UserFactory's
CHROMIUM = "/usr/bin/chromium"


def submit_login(page, base_url, username, password=PASSWORD):
    """Fill in the login form and press 'Log in', as a person does (the page may then show an error)."""
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    return page


def log_in(page, base_url, username, password=PASSWORD):
    """Sign the user in through the login form; returns the page once it has left the login page."""
    submit_login(page, base_url, username, password)
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


INTERACTIVE = ", ".join(
    ["a[href]", "button", "input:not([type=hidden])", "select", "textarea", "[role=button]",
     "[tabindex]:not([tabindex='-1'])"]
)  # fmt: skip
SMALLEST = 48
# Every interactive element one can see (not hidden, not in a closed panel; the skip link until focused),
# described with its size when it is under SMALLEST px either way.
TOO_SMALL = """([selector, smallest]) => Array.from(document.querySelectorAll(selector)).flatMap((el) => {
    if (!el.isConnected) { return []; }
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === "hidden") { return []; }
    if (el.closest("[hidden], .collapse:not(.show)")) { return []; }
    if (el.matches(".visually-hidden-focusable:not(:focus)")) { return []; }
    window.measured = (window.measured || 0) + 1;
    if (box.width >= smallest && box.height >= smallest) { return []; }
    const name = (el.textContent || el.name || el.id).trim().slice(0, 40);
    return [`${el.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}x${Math.round(box.height)}`];
})"""


def too_small(page):
    """The visible controls of the page under SMALLEST px either way (the floor's touch rule)."""
    page.evaluate("window.measured = 0")
    small = page.evaluate(TOO_SMALL, [INTERACTIVE, SMALLEST])
    assert page.evaluate("window.measured") >= 8  # the nav, the forms, the cards' buttons and links
    return small
