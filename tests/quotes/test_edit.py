"""The quote edit page: create and edit a draft by roles, errors at their row, re-pricing as you type (saving
nothing, a fixed number of queries), rows and routings fetched by htmx, drawings attached and downloaded."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quotes import services
from quotes.models import EstimateOperation, Quote, QuoteLineDrawing
from tests.scenarios import bracket_line, completed_job, page_queries

D = Decimal
pytestmark = pytest.mark.django_db


def form_data(lines, *, customer=None, markup="30", **header):
    """The edit page's POST: the header and each line's rows under their tokens, in page order."""
    data = {
        "customer": customer.pk if customer else "",
        "prospect_name": "",
        "prospect_email": "",
        "contact_name": "Ann Buyer",
        "contact_email": "ann@acme.example.com",
        "rfq_reference": "RFQ-1",
        "valid_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "lead_time_days": "21",
        "markup_percent": markup,
        "notes": "",
        **header,
    }
    for i, line in enumerate(lines):
        p = f"line-l{i}"
        if line.get("id"):
            data[f"{p}-id"] = line["id"]
        data[f"{p}-item"] = line["item"].pk if line.get("item") else ""
        data.update(
            {
                f"{p}-description": line.get("description", ""),
                f"{p}-drawing_number": line.get("drawing_number", ""),
                f"{p}-drawing_revision": line.get("drawing_revision", ""),
                f"{p}-breaks": ", ".join(str(q) for q in line["breaks"]),
                f"{p}-markup_percent": "",
            }
        )
        for j, op in enumerate(line.get("operations", ())):
            r = f"{p}-op-o{j}"
            data.update(
                {
                    f"{r}-work_center": op["work_center"].pk,
                    f"{r}-description": op["description"],
                    f"{r}-setup_hours": op["setup_hours"],
                    f"{r}-run_hours_per_piece": op["run_hours_per_piece"],
                    f"{r}-setup_factor": op.get("setup_factor", "1"),
                    f"{r}-run_factor": op.get("run_factor", "1"),
                    f"{r}-factor_source": op.get("factor_source", ""),
                }
            )
        for j, m in enumerate(line.get("materials", ())):
            r = f"{p}-mat-m{j}"
            data.update(
                {
                    f"{r}-description": m["description"],
                    f"{r}-cost": m["cost"],
                    f"{r}-basis": m["basis"],
                    f"{r}-scrap_percent": m.get("scrap_percent", ""),
                }
            )
        for j, o in enumerate(line.get("outside", ())):
            r = f"{p}-out-x{j}"
            data.update(
                {
                    f"{r}-vendor_name": o["vendor_name"],
                    f"{r}-description": o.get("description", ""),
                    f"{r}-cost": o["cost"],
                    f"{r}-basis": o["basis"],
                    f"{r}-lead_days": o.get("lead_days", ""),
                }
            )
    return data


@pytest.mark.parametrize("role", ["office", "manager"])
def test_office_and_manager_create_a_quote_on_the_page(request, client, centers, customer, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    page = client.get(reverse("quotes:quote-create"))
    assert page.status_code == 200 and "Add operation" in page.content.decode()
    response = client.post(reverse("quotes:quote-create"), form_data([bracket_line(centers)], customer=customer))
    quote = Quote.objects.get()
    assert response.status_code == 302 and response["Location"] == quote.get_absolute_url()
    line = quote.lines.get()
    assert quote.customer == customer and quote.estimator == user and line.break_quantities == [1, 10, 100]
    assert [o.work_center.code for o in line.operations.all()] == ["SAW", "CNC"]
    assert line.materials.count() == 2 and line.outside_services.count() == 2
    html = client.get(quote.get_absolute_url()).content.decode()
    assert "89.32" in html and f'href="{reverse("quotes:quote-edit", args=[quote.pk])}"' in html
    assert f'href="{reverse("quotes:quote-create")}"' in client.get(reverse("quotes:quote-list")).content.decode()


@pytest.mark.parametrize("role", ["lead", "clerk"])
def test_shop_floor_and_shipping_may_not_edit(request, client, make_quote, role):
    quote = make_quote()
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("quotes:quote-create")).status_code == 403
    assert client.get(reverse("quotes:quote-edit", args=[quote.pk])).status_code == 403
    assert client.post(reverse("quotes:quote-preview"), {}).status_code == 403
    assert client.get(reverse("quotes:quote-form-row"), {"kind": "op", "line": "abc"}).status_code == 403
    assert f'href="{reverse("quotes:quote-create")}"' not in client.get(reverse("quotes:quote-list")).content.decode()
    assert "quotes:quote-edit" not in client.get(quote.get_absolute_url()).content.decode()


def test_a_sent_quotes_edit_page_says_it_cannot_be_edited(client, make_quote, office, centers, customer):
    quote = services.quote_send(quote=make_quote(), by=office)
    client.force_login(office)
    page = client.get(reverse("quotes:quote-edit", args=[quote.pk]), follow=True)
    assert page.redirect_chain[-1][0] == quote.get_absolute_url()
    assert "it cannot be edited (only drafts can)" in page.content.decode()
    client.post(reverse("quotes:quote-edit", args=[quote.pk]), form_data([bracket_line(centers)], customer=customer))
    assert Quote.objects.get(pk=quote.pk).status == "sent" and quote.lines.get().break_quantities == [1, 10, 100]


def test_editing_keeps_the_line_its_drawing_and_the_accuracy_factors(client, make_quote, office, centers, customer):
    quote = make_quote()
    line = quote.lines.get()
    EstimateOperation.objects.filter(line=line, sequence=20).update(setup_factor=D("1.25"), factor_source="CNC +25%")
    client.force_login(office)
    html = client.get(reverse("quotes:quote-edit", args=[quote.pk])).content.decode()
    assert 'value="1.25"' in html and "CNC +25%" in html and 'value="1, 10, 100"' in html
    assert "SAW: no completed operations in the last 180 days" in html  # the figures beside the SAW operation
    ops = [{**op} for op in bracket_line(centers)["operations"]]
    ops[1].update(setup_factor="1.25", factor_source="CNC +25%")
    data = form_data([{**bracket_line(centers, breaks=(1, 10, 50, 250)), "id": line.pk, "operations": ops}],
                     customer=customer, notes="Edited")  # fmt: skip
    data["line-l0-drawing"] = SimpleUploadedFile("DWG-4471.pdf", b"%PDF-1.4 drawing", content_type="application/pdf")
    response = client.post(reverse("quotes:quote-edit", args=[quote.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    line.refresh_from_db()
    assert line.break_quantities == [1, 10, 50, 250] and Quote.objects.get(pk=quote.pk).notes == "Edited"
    assert line.operations.get(sequence=20).setup_factor == D("1.25")
    drawing = QuoteLineDrawing.objects.get(line=line)
    html = client.get(quote.get_absolute_url()).content.decode()
    assert "DWG-4471.pdf" in html and drawing.get_absolute_url() in html
    download = client.get(drawing.get_absolute_url())
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 drawing"
    assert download["Content-Disposition"].startswith("attachment") and download["X-Content-Type-Options"] == "nosniff"
    client.logout()
    assert client.get(drawing.get_absolute_url()).status_code == 302  # to the login page


def test_errors_land_on_their_row_and_nothing_is_saved(client, make_quote, office, centers, customer):
    quote = make_quote()
    line = quote.lines.get()
    client.force_login(office)
    bad = bracket_line(centers)
    bad["operations"][1] = {**bad["operations"][1], "setup_hours": "-1"}
    data = form_data([{**bad, "id": line.pk, "breaks": (5,)}], customer=customer, notes="not saved")
    data["line-l0-drawing"] = SimpleUploadedFile("fake.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(reverse("quotes:quote-edit", args=[quote.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert 'id="error_1_id_line-l0-op-o1-setup_hours"' in html or "line-l0-op-o1-setup_hours" in html
    assert "Ensure this value is greater than or equal to 0" in html and "not a PDF, PNG or JPEG" in html
    quote.refresh_from_db()
    assert quote.notes == "" and line.break_quantities == [1, 10, 100]


def test_a_bad_break_list_is_an_error_at_the_line(client, office, centers, customer):
    client.force_login(office)
    response = client.post(reverse("quotes:quote-create"),
                           form_data([bracket_line(centers, breaks=("10", "ten"))], customer=customer))  # fmt: skip
    assert response.status_code == 400 and "not ten" in response.content.decode() and not Quote.objects.exists()


def _breaks4(centers, n):
    return [bracket_line(centers, breaks=(1, 10, 50, 250)) for _ in range(n)]


def test_preview_prices_what_is_typed_and_saves_nothing(client, office, centers, customer):
    client.force_login(office)
    response = client.post(reverse("quotes:quote-preview"), form_data([bracket_line(centers)], customer=customer),
                           HTTP_HX_REQUEST="true")  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200 and not Quote.objects.exists()
    # The same figures as the saved quote's page (tests/quotes/test_views.py): 10 pieces at 89.32.
    assert 'id="pricing-l0" hx-swap-oob="true"' in html and "89.32" in html and "893.20" in html and "23.1%" in html
    cheaper = client.post(
        reverse("quotes:quote-preview"), form_data([bracket_line(centers)], customer=customer, markup="10")
    ).content.decode()
    assert "89.32" not in cheaper and "10.00%" not in cheaper and "(markup 10" in cheaper


def test_preview_prices_a_line_whose_rows_have_errors_without_them(client, office, centers, customer):
    client.force_login(office)
    line = bracket_line(centers)
    line["operations"][0] = {**line["operations"][0], "setup_hours": "x"}
    html = client.post(reverse("quotes:quote-preview"), form_data([line], customer=customer)).content.decode()
    assert "Price per break" in html
    line["breaks"] = ("",)
    html = client.post(reverse("quotes:quote-preview"), form_data([line], customer=customer)).content.decode()
    assert "Not priced yet" in html


@pytest.mark.parametrize("view", ["preview", "edit"])
def test_preview_and_edit_page_take_a_fixed_number_of_queries(client, office, centers, customer, view):
    client.force_login(office)
    counts = []
    for n in (2, 20):
        if view == "preview":
            data = form_data(_breaks4(centers, n), customer=customer)
            with CaptureQueriesContext(connection) as ctx:
                response = client.post(reverse("quotes:quote-preview"), data)
            assert response.status_code == 200 and response.content.decode().count("data-break=") == 4 * n
            counts.append(len(ctx.captured_queries))
        else:
            quote = services.quote_create(by=office, customer=customer, lines=_breaks4(centers, n))
            counts.append(page_queries(client, reverse("quotes:quote-edit", args=[quote.pk])))
    assert counts[0] == counts[1], counts


def test_add_buttons_fetch_empty_rows_and_lines(client, office, centers):
    client.force_login(office)
    row = client.get(reverse("quotes:quote-form-row"), {"kind": "op", "line": "abc123"}).content.decode()
    assert 'name="line-abc123-op-' in row and "-setup_hours" in row and "CNC" in row
    line = client.get(reverse("quotes:quote-form-row"), {"kind": "line"}).content.decode()
    assert "Add operation" in line and "-breaks" in line
    assert client.get(reverse("quotes:quote-form-row"), {"kind": "op", "line": "../x"}).status_code == 404
    assert client.get(reverse("quotes:quote-form-row"), {"kind": "nope", "line": "abc"}).status_code == 404


def test_routing_search_and_copy_from_a_completed_job_and_another_quote(client, make_quote, office, lead, centers):
    job = completed_job(by=lead, center=centers["CNC"], setup_est=D("3"), run_est=D("0.2"), setup_actual=D("3"),
                        run_actual=D("2"), pieces=10)  # fmt: skip
    source = make_quote()
    client.force_login(office)
    found = client.get(reverse("quotes:quote-routing-sources"), {"line": "abc", "q": job.number}).content.decode()
    assert f"Job {job.number}" in found and f"job={job.pk}" in found
    found = client.get(reverse("quotes:quote-routing-sources"), {"line": "abc", "q": "DWG-44"}).content.decode()
    assert f"Quote {source.label} line 1" in found
    copied = client.get(reverse("quotes:quote-routing-copy"), {"line": "abc", "job": job.pk})
    html = copied.content.decode()
    assert copied["HX-Trigger"] == "quote-changed" and f"job {job.number}" in html
    assert 'name="line-abc-op-' in html and 'value="3.000"' in html
    copied = client.get(reverse("quotes:quote-routing-copy"), {"line": "abc", "quote_line": source.lines.get().pk})
    assert len(re.findall(r'name="line-abc-op-[a-z0-9]+-setup_hours"', copied.content.decode())) == 2
    job.status = "in_progress"
    job.save(update_fields=["status"])
    refused = client.get(reverse("quotes:quote-routing-copy"), {"line": "abc", "job": job.pk})
    assert refused["HX-Retarget"] == "#copy-msg-abc" and "not complete" in refused.content.decode()


def test_a_new_quote_sent_twice_is_saved_once(client, office, centers, customer):
    client.force_login(office)
    data = {**form_data([bracket_line(centers)], customer=customer), "submit_token": "tok-quote-1"}
    first = client.post(reverse("quotes:quote-create"), data)
    again = client.post(reverse("quotes:quote-create"), data)
    url = Quote.objects.get().get_absolute_url()
    assert first["Location"] == again["Location"] == url


def test_a_quote_sent_meanwhile_refuses_the_save_on_the_form(client, make_quote, office, centers, customer):
    quote = make_quote()
    client.force_login(office)
    client.get(reverse("quotes:quote-edit", args=[quote.pk]))
    data = form_data([{**bracket_line(centers), "id": quote.lines.get().pk}], customer=customer, notes="late")
    services.quote_send(quote=quote, by=office)
    response = client.post(reverse("quotes:quote-edit", args=[quote.pk]), data, follow=True)
    assert "it cannot be edited" in response.content.decode() and Quote.objects.get(pk=quote.pk).notes == ""
