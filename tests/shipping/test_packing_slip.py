"""The packing slip's back-ordered column (issue 21): right on the draft a clerk prints before the truck
leaves, and the same once the shipment has shipped."""

import re

from django.urls import reverse

from shipping import selectors, services
from tests.scenarios import approved_order, produce, ship


def _back_ordered(client, shipment) -> list[str]:
    html = client.get(reverse("shipping:packing-slip", args=[shipment.pk])).content.decode()
    rows = re.findall(r"<tr><td>\d+</td>.*?</tr>", html)
    return [re.findall(r'<td class="text-end">(\d+)</td>', row)[-1] for row in rows]


def test_packing_slip_counts_the_drafts_own_pieces_as_going(client, office, manager, lead, clerk):
    order = approved_order(office, manager, quantity=25)
    produce(order, lead, 25)
    line = order.lines.get()
    ship(order, clerk, {line.pk: 5})  # already shipped earlier
    draft = services.shipment_create(order=order, lines={line.pk: 10}, by=clerk)
    client.force_login(clerk)
    # Ordered 25, 5 shipped before, 10 on this shipment: 10 stay back-ordered.
    assert [sl.back_ordered for sl in selectors.shipment_detail(pk=draft.pk).line_list] == [10]
    assert _back_ordered(client, draft) == ["10"]
    services.shipment_transition(shipment=draft, name="ship", by=clerk)
    assert [sl.back_ordered for sl in selectors.shipment_detail(pk=draft.pk).line_list] == [10]
    assert _back_ordered(client, draft) == ["10"]
