"""mto.api.PrimaryKeyRelatedField: DRF's field, its row read through a query compiled once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from mto.api import PrimaryKeyRelatedField
from sales.models import Item
from tests.factories import ItemFactory


def _field(queryset):
    field = PrimaryKeyRelatedField(queryset=queryset)
    field.bind("item", serializers.Serializer())
    return field


def test_a_row_by_its_id_is_the_row_drf_gives_in_one_query(db):
    items = [ItemFactory(), ItemFactory(is_active=False)]
    ours, drfs = _field(Item.objects.all()), serializers.PrimaryKeyRelatedField(queryset=Item.objects.all())
    drfs.bind("item", serializers.Serializer())
    for item in items * 2:
        with CaptureQueriesContext(connection) as ctx:
            found = ours.to_internal_value(item.pk)
        assert found == drfs.to_internal_value(item.pk) == item and found.part_number == item.part_number
        assert len(ctx.captured_queries) == 1
    if connection.vendor == "postgresql":  # the kept SQL, prepared and bound by the server
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                           ['SELECT "sales_item"."id"%WHERE "sales_item"."id" = $1%'])  # fmt: skip
            assert cursor.fetchone() == (1,)


@pytest.mark.parametrize("value", [10**9, -1, 2**70])
def test_an_id_of_no_row_is_refused_as_drf_refuses_it(db, value):
    ItemFactory()
    with pytest.raises(serializers.ValidationError) as refused:
        _field(Item.objects.all()).to_internal_value(value)
    assert refused.value.detail == [f'Invalid pk "{value}" - object does not exist.']


def test_what_is_not_a_plain_id_or_a_whole_queryset_goes_drfs_way(db):
    active, inactive = ItemFactory(), ItemFactory(is_active=False)
    assert _field(Item.objects.all()).to_internal_value(str(active.pk)) == active
    with pytest.raises(serializers.ValidationError, match="Incorrect type"):
        _field(Item.objects.all()).to_internal_value(True)
    only_active = _field(Item.objects.filter(is_active=True))
    assert only_active.to_internal_value(active.pk) == active
    with pytest.raises(serializers.ValidationError, match="does not exist"):
        only_active.to_internal_value(inactive.pk)  # the queryset's filter holds
