import pytest

from tests.e2e.helpers import DESKTOP, TABLET_PORTRAIT, submit_login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET_PORTRAIT], ids=["desktop", "tablet-portrait"])
def test_login_page_and_home(page, live_server, office, login, axe_check, screenshot, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url, "anonymous users are sent to the login page"
    axe_check(page)
    login(page, "office")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Good day")
    axe_check(page)
    screenshot(page, f"home-office-{viewport['width']}x{viewport['height']}")


def test_wrong_password_shows_an_error(page, live_server, office):
    submit_login(page, live_server.url, "office", "wrong")
    assert page.get_by_text("Please enter a correct username and password").is_visible()
