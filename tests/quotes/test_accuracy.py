"""Estimate accuracy per work center from completed jobs, and applying it to a quote's operations."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jobs.models import Job
from quotes import selectors, services
from quotes.models import EstimateOperation
from tests.scenarios import completed_job

D = Decimal
pytestmark = pytest.mark.django_db

# (estimated setup, actual setup, actual run hours for 10 pieces at an estimate of 0.1 h/piece)
CNC_JOBS = [("2.0", "2.4", "1.0"), ("2.0", "3.0", "1.2"), ("1.0", "1.0", "1.3"), ("1.0", "0.8", "0.9"),
            ("4.0", "4.4", "1.1")]  # fmt: skip


@pytest.fixture
def history(centers, lead):
    for est, actual, run in CNC_JOBS:
        completed_job(by=lead, center=centers["CNC"], setup_est=D(est), run_est=D("0.1"), setup_actual=D(actual),
                      run_actual=D(run), pieces=10)  # fmt: skip
    # Outside the 180-day window: ignored.
    completed_job(by=lead, center=centers["CNC"], setup_est=D("1"), run_est=D("0.1"), setup_actual=D("5"),
                  run_actual=D("5"), pieces=10, days_ago=200)  # fmt: skip
    # Not complete: ignored (samples are written for complete jobs only; see the test below).
    completed_job(by=lead, center=centers["SAW"], setup_est=D("0.5"), run_est=D("0.05"), setup_actual=D("1.0"),
                  run_actual=D("0.5"), pieces=10)  # fmt: skip


def test_median_80th_percentile_and_count_per_work_center(history, centers, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = selectors.estimate_accuracy(work_centers=list(centers.values()))
    cnc, saw = figures[centers["CNC"].pk], figures[centers["SAW"].pk]
    # Setup ratios 1.2, 1.5, 1.0, 0.8, 1.1 -> sorted 0.8 1.0 1.1 1.2 1.5: median 1.1; 80th at rank 3.2:
    # 1.2 + 0.2 x (1.5 - 1.2) = 1.26. Run ratios (h/10 pieces / 0.1) 1.0 1.2 1.3 0.9 1.1: median 1.1, 80th 1.22.
    assert (cnc.setup.median, cnc.setup.p80, cnc.setup.count) == (D("1.10"), D("1.26"), 5)
    assert (cnc.run.median, cnc.run.p80, cnc.run.count) == (D("1.10"), D("1.22"), 5)
    assert cnc.setup.over_percent == 10
    assert "CNC setups ran +10% over 5 operations" in cnc.summary()
    assert (saw.setup.median, saw.setup.count, saw.run.median) == (D("2.00"), 1, D("1.00"))


def test_window_is_a_setting(history, centers, settings):
    settings.QUOTE_ACCURACY_DAYS = 365
    cnc = selectors.estimate_accuracy(work_centers=[centers["CNC"]])[centers["CNC"].pk]
    assert cnc.setup.count == 6


def test_a_work_center_without_history_has_no_figures(centers):
    saw = selectors.estimate_accuracy(work_centers=[centers["SAW"]])[centers["SAW"].pk]
    assert (saw.setup.median, saw.setup.count, saw.run.count) == (None, 0, 0)
    assert "no completed operations" in saw.summary()


def test_percentile_matches_percentile_cont():
    assert selectors.percentile([0.8, 1.0, 1.1, 1.2, 1.5], 0.8) == pytest.approx(1.26)
    assert selectors.percentile([2.0], 0.5) == 2.0
    assert selectors.percentile([], 0.5) is None


def test_applying_to_a_line_sets_factors_keeps_base_hours_and_says_where_from(history, make_quote, office):
    quote = make_quote()
    line = quote.lines.get()
    services.quote_apply_accuracy(quote=quote, by=office, line=line)
    cnc = EstimateOperation.objects.get(line=line, work_center__code="CNC")
    saw = EstimateOperation.objects.get(line=line, work_center__code="SAW")
    assert (cnc.setup_hours, cnc.setup_factor, cnc.run_factor) == (D("2.000"), D("1.10"), D("1.10"))
    assert cnc.adjusted_setup_hours == D("2.200") and cnc.is_adjusted
    assert "CNC setups ran +10% over 5 operations" in cnc.factor_source and "median" in cnc.factor_source
    assert (saw.setup_factor, saw.run_factor) == (D("2.00"), D("1.00"))
    (ten,) = [b for b in selectors.quote_pricing(quote=quote).lines[0].breaks if b.quantity == 10]
    # Saw (0.5 x 2 + 0.05 x 10) x 60 = 90.00; CNC (2 x 1.1 + 0.25 x 1.1 x 10) x 90 = 4.95 x 90 = 445.50;
    # 535.50 / 10 = 53.55.
    assert ten.labor == D("53.55")


def test_applying_the_80th_percentile_to_one_operation_only(history, make_quote, office):
    quote = make_quote()
    cnc = EstimateOperation.objects.get(line__quote=quote, work_center__code="CNC")
    services.quote_apply_accuracy(quote=quote, by=office, operation=cnc, statistic="p80")
    cnc.refresh_from_db()
    assert (cnc.setup_factor, cnc.run_factor) == (D("1.26"), D("1.22"))
    saw = EstimateOperation.objects.get(line__quote=quote, work_center__code="SAW")
    assert (saw.setup_factor, saw.factor_source) == (D("1.00"), "")


def test_applying_refuses_an_unknown_statistic_and_a_sent_quote(make_quote, office):
    quote = make_quote()
    with pytest.raises(ValidationError, match="median or p80"):
        services.quote_apply_accuracy(quote=quote, by=office, statistic="mean")
    services.quote_send(quote=quote, by=office)
    with pytest.raises(ValidationError, match="only drafts can be edited"):
        services.quote_apply_accuracy(quote=quote, by=office)


def test_a_job_completed_on_the_floor_records_its_samples_and_only_complete_jobs_do(office, manager, lead, centers):
    """The receiver of job_completed writes one sample per finished operation; asked for a job that is not
    complete, the service writes none."""
    from datetime import timedelta

    from django.utils import timezone

    from jobs import services as job_services
    from jobs.models import TimeEntry
    from quotes.models import AccuracySample
    from quotes.services import accuracy_samples_record
    from tests.scenarios import approved_order

    job = Job.objects.get(sales_order=approved_order(office, manager, quantity=2))
    assert accuracy_samples_record(job_ids=[job.pk]) == 0  # released, not complete
    for op in job.operations.order_by("sequence"):
        job_services.operation_act(operation=op, action="start", by=lead)
        # An hour of running, so the operation has a run ratio to record.
        TimeEntry.objects.filter(operation=op).update(started_at=timezone.now() - timedelta(hours=1))
        job_services.operation_report_pieces(operation=op, good=2, by=lead)
        job_services.operation_act(operation=op, action="finish", by=lead)
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETE
    samples = AccuracySample.objects.filter(operation__job=job)
    assert samples.count() == job.operations.count()
    assert all(s.completed_at == job.completed_at for s in samples)
    assert accuracy_samples_record(job_ids=[job.pk]) == samples.count()  # again: nothing new (ignored conflicts)
    assert AccuracySample.objects.filter(operation__job=job).count() == samples.count()


def test_figures_are_kept_until_a_job_completes_then_worked_out_again(
    history, centers, lead, django_assert_num_queries
):
    """On PostgreSQL the figures are kept per process with the newest sample's time: one statement either way,
    which reads the samples only when a job has completed since (a new newest time)."""
    cnc = [centers["CNC"]]
    first = selectors.estimate_accuracy(work_centers=cnc)[centers["CNC"].pk]
    with django_assert_num_queries(1):
        again = selectors.estimate_accuracy(work_centers=cnc)[centers["CNC"].pk]
    assert (again.setup, again.run) == (first.setup, first.run) and first.setup.count == 5
    completed_job(by=lead, center=centers["CNC"], setup_est=D("1"), run_est=D("0.1"), setup_actual=D("3"),
                  run_actual=D("1"), pieces=10, days_ago=1)  # fmt: skip
    with django_assert_num_queries(1):
        after = selectors.estimate_accuracy(work_centers=cnc)[centers["CNC"].pk]
    assert after.setup.count == 6 and after.setup.p80 > first.setup.p80
    assert selectors.estimate_accuracy(work_centers=cnc, days=5)[centers["CNC"].pk].setup.count == 1
