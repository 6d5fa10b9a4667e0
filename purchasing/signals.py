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
