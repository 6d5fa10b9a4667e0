import pytest
from django.core.paginator import EmptyPage

from mto.pagination import CappedPaginator
from sales.models import Customer
from tests.factories import CustomerFactory


@pytest.fixture
def customers(db):
    return [CustomerFactory(ship_to=False) for _ in range(12)]


def test_small_sets_count_exactly(customers):
    paginator = CappedPaginator(Customer.objects.order_by("id"), 5)
    paginator.cap = 100
    assert paginator.count == 12 and paginator.num_pages == 3 and not paginator.is_capped
    page = paginator.page(3)
    assert len(page.object_list) == 2 and not page.has_next() and page.count_label() == "12"
    with pytest.raises(EmptyPage):
        paginator.page(4)


def test_past_the_cap_paging_goes_on(customers, django_assert_num_queries):
    paginator = CappedPaginator(Customer.objects.order_by("id"), 5)
    paginator.cap = 6
    with django_assert_num_queries(1):  # the rows carry the capped count
        page = paginator.page(2)
        assert [c.pk for c in page.object_list] == [c.pk for c in customers[5:10]]
    assert paginator.is_capped and page.has_next() and page.count_label() == "more than 6"
    last = paginator.page(3)
    assert len(last.object_list) == 2 and not last.has_next()
    with pytest.raises(EmptyPage):
        paginator.page(4)
