"""What every baseline shares: the signed-in user's CTE, rows turned into model instances without
queries, the capped page, rendering the real template."""

import datetime
import json
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.db import connection, models
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import resolve
from psycopg.types.json import set_json_loads

from mto.context_processors import notifications as real_notifications
from mto.pagination import CappedPage, CappedPaginator

User = get_user_model()
CAP = CappedPaginator.cap

# The signed-in user with roles, permissions and the bell's unread count: a CTE of every baseline query.
ME_SQL = """
me AS MATERIALIZED (  -- evaluated once, not once per row of the page
  SELECT u.id AS me__id, u.username AS me__username, u.first_name AS me__first_name,
         u.last_name AS me__last_name, u.is_active AS me__is_active, u.is_staff AS me__is_staff,
         u.is_superuser AS me__is_superuser,
         ARRAY(SELECT g.name FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
               WHERE ug.user_id = u.id ORDER BY g.name) AS me__roles,
         ARRAY(SELECT ct.app_label || '.' || p.codename
               FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
               WHERE p.id IN (SELECT gp.permission_id FROM auth_user_groups ug
                              JOIN auth_group_permissions gp ON gp.group_id = ug.group_id WHERE ug.user_id = u.id
                              UNION SELECT up.permission_id FROM auth_user_user_permissions up
                              WHERE up.user_id = u.id)) AS me__perms,
         (SELECT count(*) FROM mto_notification n
          WHERE n.recipient_id = u.id AND n.channel = 'in_app' AND n.read_at IS NULL) AS me__unread
  FROM auth_user u WHERE u.id = %(user)s
)"""


def notifications(request):
    """The bell's count: taken from the baseline's query on baseline pages, else the real context processor."""
    if hasattr(request, "bench_unread"):
        return {"unread_notifications": request.bench_unread}
    return real_notifications(request)


# --- turning rows into model instances, without queries ------------------------------------------------

_CONVERT = (models.DateTimeField, models.DateField, models.DecimalField)


def _loads(text):
    return json.loads(text, parse_float=Decimal)


def fetch(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        # JSON numbers as Decimal, as numeric columns come. On this cursor only: on the connection it would
        # also change what the real pages' JSONFields get from the same worker's connection.
        set_json_loads(_loads, cursor.cursor)
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def build(model, data: dict):
    """A model instance from `field` and `relation__field` keys; other keys become attributes (annotations).

    Fields not given stay deferred (a template touching one would run a query, which the header shows).
    Values from JSON (strings for dates and decimals) are converted as the field would.
    """
    own, nested, extra = {}, {}, {}
    opts = model._meta
    for key, value in data.items():
        head, sep, rest = key.partition("__")
        if sep:
            nested.setdefault(head, {})[rest] = value
            continue
        try:
            field = opts.get_field(key)
        except Exception:
            extra[key] = value
            continue
        if value is not None and isinstance(field, _CONVERT) and not isinstance(value, datetime.date | Decimal):
            value = field.to_python(value)
        own[field.attname] = value
    names = [f.attname for f in opts.concrete_fields if f.attname in own]
    obj = model.from_db("default", names, [own[n] for n in names])
    for key, value in extra.items():
        setattr(obj, key, value)
    for relation, sub in nested.items():
        related = opts.get_field(relation).related_model
        setattr(obj, relation, None if sub.get("id") is None else build(related, sub))
    return obj


def prefetched(obj, name: str, items: list):
    """Set a reverse relation's cache, as prefetch_related does."""
    qs = getattr(obj, name).all()
    qs._result_cache = items
    qs._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


def _user(row: dict, request):
    me = {k[4:]: v for k, v in row.items() if k.startswith("me__")}
    fields = ["id", "username", "first_name", "last_name", "is_active", "is_staff", "is_superuser"]
    user = build(User, {name: me[name] for name in fields})
    perms = set(me["perms"])
    user._perm_cache = user._user_perm_cache = user._group_perm_cache = perms
    user._mto_roles = list(me["roles"])
    request.user = user
    request.bench_unread = me["unread"]
    return me


def _page(rows: list, total: int, per_page: int) -> dict:
    paginator = CappedPaginator(rows, per_page)
    paginator.__dict__["count"] = total
    page = CappedPage(rows[:per_page], 1, paginator)
    page.more = len(rows) > per_page
    return {"paginator": paginator, "page_obj": page, "is_paginated": page.has_other_pages()}


def _render(request, template: str, real_path: str, context: dict):
    request.resolver_match = resolve(real_path)  # the nav marks the same tab as on the real page
    return render(request, template, context)


def _query_string(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def baseline_view(func):
    def view(request, *args, **kwargs):
        user = request.headers.get("X-Bench-User", "")
        if not user.isdigit():
            return HttpResponseBadRequest("X-Bench-User: <user id> is required")
        return func(request, int(user), *args, **kwargs)

    view.__name__ = func.__name__
    return login_not_required(view)


def _strip_build(model, row):
    return build(model, {k: v for k, v in row.items() if not k.startswith("me__")})
