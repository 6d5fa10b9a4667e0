"""Sessions in the database, as Django's own backend keeps them, with every request's read compiled once.

Each signed-in request reads its session row first; Django's backend builds and compiles that query every
time (`get(session_key=..., expire_date__gt=now)`), which cost more CPU than PostgreSQL took to answer it. Here
the row is read by its key alone through mto.reads.CompiledRows and its expiry compared in Python, against the
same clock Django's query would have passed. Everything else (saving, cycling keys, clearsessions) is Django's.
"""

from django.contrib.sessions.backends import db
from django.utils import timezone

from . import reads


def _session_row(key: str):
    from django.contrib.sessions.models import Session

    return Session.objects.filter(session_key=key).values_list("session_data", "expire_date")


_SESSION_ROW = reads.CompiledRows(_session_row, key_type=str)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        rows = _SESSION_ROW.rows(self.session_key)
        if not rows or rows[0][1] <= timezone.now():
            self._session_key = None  # as Django's: no row, or an expired one, is no session
            return None
        data, expires = rows[0]
        return self.model(session_key=self.session_key, session_data=data, expire_date=expires)
