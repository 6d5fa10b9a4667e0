"""An order line's own inspection plan: characteristics sold with a quote line (quotes hands them over when the
quote becomes an order, through quality.services.line_plan_set); copied onto the line's jobs like an item's plan.
Imported by quality.models."""

from django.db import models

from sales.models import SalesOrderLine

from .models import CharacteristicFields, _characteristic_constraints


class LinePlanCharacteristic(CharacteristicFields):
    line = models.ForeignKey(SalesOrderLine, on_delete=models.CASCADE, related_name="inspection_plan")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["line", "operation_sequence", "position", "id"]
        constraints = [
            *_characteristic_constraints("line_char"),
            models.UniqueConstraint(fields=["line", "position"], name="line_char_unique_position"),
        ]
