from django.dispatch import Signal

# Sent inside the accepting transaction, after the quote is `accepted` and its order made.
# Arguments: quote (Quote, locked), order (sales.SalesOrder), by (User).
quote_accepted = Signal()
