from django.dispatch import Signal

# Sent inside the transaction that shipped a shipment. Arguments: shipment (Shipment), by (User).
shipment_shipped = Signal()

# Sent inside the transaction that voided a shipped shipment. Arguments: shipment, by (User), reason (str).
shipment_voided = Signal()
