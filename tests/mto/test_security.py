import pytest
from django.test import Client


@pytest.mark.axes
def test_login_locks_out_after_repeated_failures(client, office, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/login/", {"username": "office", "password": "wrong"})
        assert response.status_code == 200
    assert client.post("/login/", {"username": "office", "password": "wrong"}).status_code == 429
    locked = client.post("/login/", {"username": "office", "password": "pw-for-tests-1"})
    assert locked.status_code == 429
    assert b"Too many failed log-ins" in locked.content
    assert "_auth_user_id" not in client.session


@pytest.mark.axes
def test_successful_login_with_throttling_on(client, office):
    response = client.post("/login/", {"username": "office", "password": "pw-for-tests-1"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_security_headers(client, office):
    client.force_login(office)
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_csrf_enforced_on_post(office):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    assert client.post("/logout/").status_code == 403


def test_sessions_expire(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_passwords_are_validated(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="numeric"):
        validate_password("12345678")
    validate_password("long-enough-and-unusual-9")


def test_anonymous_pages_redirect_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_csrf_enforced_on_htmx_posts_too(office, manager, lead):
    from jobs.models import Job
    from tests.scenarios import approved_order

    op = Job.objects.get(sales_order=approved_order(office, manager)).operations.first()
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    url = f"/jobs/floor/operations/{op.pk}/start/"
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 403
    op.refresh_from_db()
    assert op.status == "pending"
    page = client.get(f"/jobs/floor/jobs/{op.job_id}/")
    token = page.cookies["csrftoken"].value
    assert '"X-CSRFToken": "' in page.content.decode()
    assert client.post(url, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token).status_code == 200
