"""The pages print values as Django's localized rendering does in the shop's locale, without localizing each one."""

import datetime
from decimal import Decimal as D

import pytest
from django.template import Context, engines
from django.template import Template as DjangoTemplate
from django.utils import timezone

from mto.template_engine import Templates

VALUES = [0, 7, -12, 1234567, True, None, "text", D("0.00"), D("150.00"), D("-3.250"), D("1234567.891"),
          D("1.5") * D("100"), D("1") / D("3"), D("0.0001"), 0.1 + 0.2, 12.5, -0.0, 1234567.25,
          datetime.date(2026, 12, 7), datetime.time(14, 5),
          datetime.datetime(2026, 12, 7, 14, 5, tzinfo=datetime.UTC),
          datetime.datetime(2026, 12, 7, 23, 59, 30, 123456, tzinfo=datetime.UTC)]  # fmt: skip


def test_the_engine_is_ours_and_keeps_the_partials_loader():
    engine = engines["django"]
    assert isinstance(engine, Templates)
    assert engine.engine.loaders[0][0] == "template_partials.loader.Loader"


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_prints_as_djangos_localized_rendering_prints_it(value):
    code = "{{ value }}|{{ value|date }}|{{ value|time }}" if isinstance(value, datetime.date) else "{{ value }}"
    ours = engines["django"].from_string(code).render({"value": value})
    localized = DjangoTemplate(code).render(Context({"value": value}))
    assert ours == localized


def test_an_aware_datetime_prints_in_the_active_time_zone_as_djangos_rendering_does():
    value = datetime.datetime(2026, 12, 7, 23, 59, 30, tzinfo=datetime.UTC)
    code = "{{ value }} {{ value|date:'Y-m-d H:i' }}"
    with timezone.override("America/Chicago"):
        ours = engines["django"].from_string(code).render({"value": value})
        assert ours == DjangoTemplate(code).render(Context({"value": value}))
    assert "Dec. 7, 2026, 5:59 p.m. 2026-12-07 17:59" == ours


def test_what_python_writes_in_scientific_notation_differs_so_the_code_formats_it():
    """The documented limit (mto/template_engine.py): a normalized Decimal or a tiny float prints as Python writes
    it; the pages format such values on purpose."""
    code = "{{ value }}"
    ours = engines["django"].from_string(code).render({"value": D("10").normalize()})
    assert ours == "1E+1" and DjangoTemplate(code).render(Context({"value": D("10").normalize()})) == "10"
    fixed = engines["django"].from_string("{% load mto_format %}{{ value|floatformat:'-3' }} {{ value|money }}")
    assert fixed.render({"value": D("10").normalize()}) == "10 10.00"
