"""mto.links.url_by_key answers what reverse() answers for a view's link by key."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, include, path, reverse, set_script_prefix
from django.views.generic import View

from mto.links import url_by_key

VIEWS = ["sales:order-detail", "sales:item-detail", "sales:drawing-download", "jobs:job-detail",
         "purchasing:po-detail", "quality:ncr-detail", "quotes:quote-detail"]  # fmt: skip


@pytest.mark.parametrize("viewname", VIEWS)
def test_a_link_by_key_is_the_one_reverse_gives(viewname):
    for key in (0, 1, 7, 123456, 2_000_000_011, 2**62):
        assert url_by_key(viewname, key) == reverse(viewname, args=[key])


def test_the_script_prefix_of_the_moment_is_kept():
    url_by_key("jobs:job-detail", 5)  # the path kept under the default prefix
    try:
        set_script_prefix("/shop/")
        assert url_by_key("jobs:job-detail", 5) == reverse("jobs:job-detail", args=[5]) == "/shop/jobs/5/"
    finally:
        clear_script_prefix()
    assert url_by_key("jobs:job-detail", 5) == "/jobs/5/"


# A URLconf (this module's) where the same name has another path.
urlpatterns = [path("elsewhere/", include(([path("jobs/<int:pk>/", View.as_view(), name="job-detail")], "jobs")))]


def test_another_urlconf_has_its_own_paths():
    assert url_by_key("jobs:job-detail", 9) == "/jobs/9/"
    with override_settings(ROOT_URLCONF=__name__):
        assert url_by_key("jobs:job-detail", 9) == reverse("jobs:job-detail", args=[9]) == "/elsewhere/jobs/9/"
    assert url_by_key("jobs:job-detail", 9) == "/jobs/9/"


def test_what_is_not_a_key_is_refused_as_reverse_refuses_it():
    for key in (None, -1, "x"):
        with pytest.raises(NoReverseMatch):
            url_by_key("jobs:job-detail", key)
    assert url_by_key("jobs:job-detail", "12") == reverse("jobs:job-detail", args=["12"])
