from django.dispatch import Signal

# Sent inside the approval transaction after the receiver created the order's jobs (and inside
# job_create_remake's for a remake job of an order line).
# Arguments: order (sales.SalesOrder), jobs (list[Job]), by (User).
jobs_created = Signal()

# Sent inside the transaction in which a job's last operation was finished.
# Arguments: job (Job), by (User), late (bool: completed after its due date).
job_completed = Signal()

# Sent inside the transaction that put a job on hold. Arguments: job (Job), by (User), reason (str).
job_held = Signal()

# Sent inside the transaction of every job status move (after job_held or job_completed where those apply), so
# a higher app that plans the work (planning) hears a release, a resume or a cancel without jobs importing it.
# Arguments: job (Job), from_status (str), to_status (str), by (User or None).
job_moved = Signal()

# Sent inside the transaction that reported scrap pieces off an operation (the floor's report, or pieces a
# vendor rejected). Arguments: operation (Operation), job (Job), quantity (int), reason (str), by (User).
pieces_scrapped = Signal()

# Sent inside the transaction that reported pieces off a job's last operation (ready to ship).
# Arguments: job (Job), by (User), quantity (int, good pieces added).
job_pieces_completed = Signal()

# Sent inside the transaction that approved a sales order change, after the jobs followed it.
# Arguments: order (sales.SalesOrder), items (list of sales.ChangeItem), jobs (list[Job] changed or made), by.
jobs_changed = Signal()

# Sent inside jobs_create_for_lines (the approval's or a change's transaction) before the jobs' operations
# are made, so a higher app that sold the work on its own estimate (quotes) can give the routing it quoted
# without jobs importing it. Arguments: lines (list[sales.SalesOrderLine]). A receiver returns
# {line_id: [RoutedStep, ...]} for the lines it knows; those steps replace the item's routing for that line.
routing_for_lines = Signal()

# Sent inside the transaction in which the planner added operations to a job (or moved one to another work
# center), so purchasing can give an operation at an outside work center its outside-operation row.
# Arguments: operations (list[Operation]), by (User).
operations_added = Signal()

# Sent by the cost reads (job page, job cost report, the month's cost variance) to learn what a job cost besides
# labor without jobs importing the apps that know (purchasing: material and outside services).
# Arguments: jobs (list[Job]). A receiver returns {job_id: [OtherCost, ...]} (jobs.selectors.OtherCost) for the
# jobs it knows, in a fixed number of queries whatever the number of jobs.
other_costs_for_jobs = Signal()

# Arguments: jobs (a QuerySet of jobs: a month's). A receiver returns (estimated, actual) of the jobs' costs it
# knows, in total: what it answers other_costs_for_jobs with, summed (the home needs the month, not each job).
other_cost_totals_for_jobs = Signal()

# Sent inside operation_report_pieces (the piece report's transaction, the job and its operations locked) before
# good pieces pass on from an operation, so a higher app that gates them (quality: a failed inspection not yet
# dispositioned) can refuse without jobs importing it. Arguments: operation (Operation), good (int). A receiver
# returns a refusal reason (str) or None; any reason refuses the report with it.
pieces_may_pass = Signal()
