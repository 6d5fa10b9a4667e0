"""`money` shows every figure as Django's `floatformat:2|intcomma` does, the pair it replaces on the pages;
`quantity` as `floatformat:"-3"` does."""

from decimal import Decimal as D

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.template.defaultfilters import floatformat

from mto.templatetags.mto_format import money, quantity

FIGURES = [None, "", 0, 12, -0.0, D("0"), D("-0.004"), D("-0.005"), D("0.005"), D("0.015"), D("0.125"), D("2.675"),
           D("999.995"), D("1E+3"), -1234.5, 1234567.891, D("1234567.895"), D("-1234567.125"),
           D("123456789012.345"), "12.345", "abc", float("nan"), float("inf")]  # fmt: skip


@pytest.mark.parametrize("figure", FIGURES, ids=repr)
def test_money_shows_a_figure_as_floatformat_and_intcomma_do(figure):
    assert money(figure) == intcomma(floatformat(figure, 2))


def test_money_in_a_template_matches_the_pair_it_replaced():
    figures = {"a": D("1234.5"), "b": D("-0.005"), "c": None}
    ours = Template("{% load mto_format %}{{ a|money }} {{ b|money }} {{ c|money }}").render(Context(figures))
    django = Template("{% load humanize %}{{ a|floatformat:2|intcomma }} {{ b|floatformat:2|intcomma }} "
                      "{{ c|floatformat:2|intcomma }}").render(Context(figures))  # fmt: skip
    assert ours == django == "1,234.50 -0.01 "


QUANTITIES = [None, "", 0, 12, -0.0, 2.5, D("0"), D("12.000"), D("12.500"), D("0.0004"), D("-0.0004"), D("-0.0005"),
              D("0.0005"), D("2.0004"), D("1.2345"), D("999.9995"), D("1E+3"), D("-7.250"), D("123456789.125"),
              "12.345", "7", "abc", float("nan"), float("inf")]  # fmt: skip


@pytest.mark.parametrize("figure", QUANTITIES, ids=repr)
def test_quantity_shows_a_figure_as_floatformat_minus_3_does(figure):
    assert quantity(figure) == floatformat(figure, "-3")
