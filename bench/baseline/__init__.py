"""Raw-SQL baselines of the hot pages: ONE hand-written query per page, then the page's own template.

Loaded only by bench.settings (through bench/urls.py); the production URLconf never includes them.

Each baseline answers the same URL parameters as the real page and renders the same template with the
same context, but fetches everything it shows in a single SQL statement: the page's rows, the capped row
count, the filter form's choices and the signed-in user's name, roles, permissions and unread count. It
skips what a framework adds around the rows: no session lookup (the benchmark names the user in the
`X-Bench-User` header), no permission queries, no ORM. The ratio real/baseline is therefore the cost of
everything the real page does beyond "one round trip to the database and the template".

A field the SQL forgot to fetch would be loaded lazily by Django, and show up as a second query in the
`X-Queries` header that the benchmark prints for the baselines too.
"""

from .common import notifications  # bench.settings' context processor
from .details import job_detail, order_detail
from .lists import floor_board, job_list, order_list, ready_to_ship

__all__ = ["floor_board", "job_detail", "job_list", "notifications", "order_detail", "order_list", "ready_to_ship"]
