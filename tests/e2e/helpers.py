"""What the browser tests share: viewports, axe-core, and the one way they sign in (through the login form)."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"
DESKTOP = {"width": 1440, "height": 900}
TABLET_LANDSCAPE = {"width": 1280, "height": 800}
TABLET_PORTRAIT = {"width": 800, "height": 1280}
PASSWORD = "pw-for-tests-1"  # tests.factories.UserFactory's


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
