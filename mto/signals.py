from django.dispatch import Signal

# Sent by the home page (not in a transaction). Arguments: request (HttpRequest).
# Each receiver returns a list of (order, rendered HTML) for the widgets the user may see; the page sorts
# them by order. How sales, jobs and shipping put their figures on one page without mto importing them.
home_panels = Signal()
