import pytest

from tests.scenarios import approved_order


@pytest.fixture
def make_approved_order(office, manager):
    def make(**kwargs):
        return approved_order(office, manager, **kwargs)

    return make
