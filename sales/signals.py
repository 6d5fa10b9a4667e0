from django.dispatch import Signal

# Sent inside the approval transaction, after the order's status is `approved`.
# Arguments: order (SalesOrder, locked by the sender, its customer loaded), lines (its SalesOrderLines with
# their items, in line order, cancelled ones included; read under the lock), by (User).
# Receivers run in that transaction: if one raises, the approval rolls back.
order_approved = Signal()

# Sent inside the cancelling transaction, after the order's status is `cancelled`.
# Arguments: order (SalesOrder), cancelled_by (User), reason (str).
order_cancelled = Signal()

# Sent inside the transaction that moved an order through the roll-up (in production, shipped states)
# or closed it. Arguments: order (SalesOrder), from_status (str), to_status (str), by (User or None).
order_status_changed = Signal()

# Sent inside the transaction that approved a change request, after the sales rows changed and the order's
# revision went up. Arguments: order (SalesOrder, locked), change_request (ChangeRequest), items (list of
# ChangeItem with `before` filled in; an added line's item points at the new line), by (User).
# A receiver that raises ValidationError refuses the whole change.
order_changed = Signal()
