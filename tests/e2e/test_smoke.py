import re

import pytest
from playwright.sync_api import expect

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


@pytest.mark.parametrize("width", [1200, 1280, 1440, 1920])
def test_the_widest_menus_fit_without_sideways_scrolling(page, live_server, manager, superuser, login, width):
    """A Manager sees twelve sections and the superuser more: from 1200 px (a 10-inch tablet held sideways is
    1280) the menu is open on one line for a Manager, wraps rather than scrolls for the superuser, and the
    user's name stays in the user menu's accessible name wherever it is not shown."""
    page.set_viewport_size({"width": width, "height": 800})
    for username in ("manager", "admin"):
        page.context.clear_cookies()
        login(page, username)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{username} at {width}"
        links = page.locator("#main-nav .navbar-nav").first.locator(".nav-link")
        assert links.count() >= 12
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert box and box["x"] + box["width"] <= width, f"{username} at {width}: {links.nth(i).inner_text()}"
            assert box["height"] < 60, f"{username} at {width}: {links.nth(i).inner_text()} breaks into lines"
        if username == "manager":
            assert page.locator("nav.navbar").bounding_box()["height"] < 80, f"one line at {width}"
        user_menu = page.locator("#main-nav .dropdown-toggle")
        expect(user_menu).to_have_accessible_name(re.compile(r"manager|admin", re.I))
        name = page.locator("#main-nav .nav-user-name")
        assert name.bounding_box()["width"] > (100 if width >= 1600 else -1)
        user_menu.click()
        header = page.locator(".nav-user-header")
        if width < 1600:
            expect(header).to_be_visible()
        else:
            expect(header).to_be_hidden()


def test_the_add_an_operation_form_loads_when_opened_and_adds(page, live_server, office, manager, login):
    """The job page's "Add an operation" section fetches its form when opened (htmx), on a tablet held sideways."""
    from jobs.models import Job
    from tests.jobs.factories import WorkCenterFactory
    from tests.scenarios import approved_order

    job = Job.objects.get(sales_order=approved_order(office, manager))
    WorkCenterFactory(code="DEB", name="Deburring")
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, "manager")
    page.goto(f"{live_server.url}{job.get_absolute_url()}")
    expect(page.get_by_label("Description")).to_have_count(0)
    page.get_by_text("Add an operation", exact=True).click()
    page.get_by_label("Description").fill("Deburr edges")
    page.get_by_label("Work center").select_option(label="DEB - Deburring")
    page.get_by_label("Setup hours").fill("0.5")
    page.get_by_label("Run hours per piece").fill("0.1")
    page.get_by_role("button", name="Add operation").click()
    expect(page.get_by_text("Operation added.")).to_be_visible()
    assert job.operations.filter(description="Deburr edges").exists()


def test_a_quote_lines_characteristic_form_loads_when_opened_and_adds(page, live_server, office, login):
    """Each line's "Add a characteristic" section fetches its form when opened (htmx), on a tablet held sideways;
    the other line's section stays a link."""
    from quotes import services
    from quotes.models import QuoteLineCharacteristic
    from tests.factories import CustomerFactory
    from tests.jobs.factories import WorkCenterFactory
    from tests.scenarios import bracket_line

    centers = {"SAW": WorkCenterFactory(code="SAW"), "CNC": WorkCenterFactory(code="CNC")}
    quote = services.quote_create(by=office, customer=CustomerFactory(), contact_name="Ann",
                                  lines=[bracket_line(centers), bracket_line(centers)])  # fmt: skip
    first, second = quote.lines.order_by("line_no")
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, "office")
    page.goto(f"{live_server.url}{quote.get_absolute_url()}")
    name = page.locator(f"#id_char{first.pk}-name")
    expect(name).to_have_count(0)
    page.get_by_text("Add a characteristic to line 1", exact=True).click()
    name.fill("Bore diameter")
    page.locator(f"#id_char{first.pk}-operation_sequence").fill("20")
    page.locator(f"#id_char{first.pk}-kind").select_option("dimension")
    page.locator(f"#id_char{first.pk}-nominal").fill("12")
    page.locator(f"#id_char{first.pk}-tolerance_plus").fill("0.02")
    page.locator(f"#id_char{first.pk}-tolerance_minus").fill("0.02")
    page.locator(f"#id_char{first.pk}-unit").fill("mm")
    expect(page.locator(f"#id_char{second.pk}-name")).to_have_count(0)
    page.get_by_role("button", name="Add characteristic").click()
    expect(page.get_by_text("Characteristic added to line 1.")).to_be_visible()
    assert QuoteLineCharacteristic.objects.filter(line=first, name="Bore diameter").exists()
    expect(page.get_by_role("table", name="Inspection plan of line 1")).to_contain_text("Bore diameter")
