from django.dispatch import Signal

# Sent inside the transaction that made jobs (an order's approval, or a change order's jobs), so a higher app
# that sold the work on its own estimate (quotes) can give the material it priced without purchasing
# importing it. Arguments: jobs (list[jobs.Job]). A receiver returns {job_id: [MaterialEstimate, ...]} for
# the jobs it knows; purchasing makes one material requirement of each.
material_for_jobs = Signal()
# Sent inside the transaction that made jobs' outside operations, so a higher app that sold the work on its own
# estimate (quotes) can give the outside services it priced without purchasing importing it.
# Arguments: jobs (list[jobs.Job]). A receiver returns {job_id: [OutsideEstimate, ...]} (purchasing.services)
# for the jobs it knows, in the order it priced them; the job's outside operations take them in routing order.
outside_for_jobs = Signal()

# Sent inside the transaction that received material on a PO line (after the job's material readiness
# followed it), so a higher app that plans the work (planning) hears it without purchasing importing it.
# Arguments: receipt (Receipt), by (User).
material_received = Signal()

# Sent inside the transaction that changed when a vendor's goods or work are expected: a purchase order's
# lines written (their due dates), an order cancelled (its lines no longer expected), an outside operation's
# vendor or lead time. Arguments: purchase_order (PurchaseOrder or None), outside_operation (OutsideOperation or
# None), by (User).
vendor_dates_changed = Signal()
