"""The roles of DESIGN.md and what each may do.

Roles are Django groups; what they may do are permissions on the `mto.Capability` holder, granted to the
groups by data migrations. Views ask for a capability (`mto.approve_orders`), never for a group name.
ROLE_CAPABILITIES below says what the migrations grant today; each role migration carries its own frozen
copy of its data (a migration must not change with later code), so a change of grants is a new data
migration plus this table, and tests/mto/test_roles.py checks the two agree. The tests' expectations come
from DESIGN.md's table written out in tests/role_table.py, not from here.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from . import reads

OFFICE = "Office"
MANAGER = "Manager"
SHOP_FLOOR = "Shop floor"
SHIPPING = "Shipping"
PURCHASING = "Purchasing"
QUALITY = "Quality"
OPERATOR = "Operator"
ALL_ROLES = (OFFICE, MANAGER, SHOP_FLOOR, SHIPPING, PURCHASING, QUALITY, OPERATOR)

# codename -> description; each becomes the permission `mto.<codename>`.
CAPABILITIES = {
    "view_orders": "View customers, items and sales orders",
    "manage_customers": "Create and edit customers and items",
    "edit_orders": "Create, edit, submit and cancel sales orders",
    "approve_orders": "Approve or reject sales orders",
    "close_orders": "Close shipped sales orders",
    "view_jobs": "View job orders",
    "plan_jobs": "Edit job routings",
    "manage_jobs": "Release, hold and cancel job orders",
    "run_floor": "Use the shop floor board: run operations, report pieces, hold jobs, add notes",
    "view_shipments": "View shipments",
    "ship": "Create, pack, ship and print shipments",
    "void_shipments": "Void shipped shipments",
    "view_reports": "View reports and dashboards",
    "view_quotes": "View quotes and their estimates",
    "edit_quotes": "Prepare, send, revise, accept and decline quotes",
    "approve_quotes": "Approve a quote's margin below the shop's threshold before it is sent",
    "view_purchasing": "View vendors, purchase orders, receipts and ship-outs",
    "buy": "Vendors, job material, purchase orders (create, send, cancel, close)",
    "receive": "Receive material and pieces back from vendors, ship pieces out to vendors",
    "view_quality": "View inspection plans, inspection results and non-conformance reports",
    "edit_quality_plans": "Enter and change the inspection plans of items",
    "record_inspections": "Record measured values and pass/fail results at an operation",
    "open_ncrs": "Open a non-conformance report from scrap or a failed inspection",
    "disposition_ncrs": "Disposition non-conformance reports (scrap, rework, use as is, return, remake), close them",
    "trace_shipments": "Trace shipments back to heats, certificates, inspections and operators; recall by heat or lot",
    "print_certificate_packs": "Print a shipment's certificate pack: the CoC with its inspections and certificates",
    "accept_first_articles": "Accept or reject a recorded first-article inspection",
    "view_quality_reports": "View the quality reports (scrap and NCR Pareto, cost of poor quality, first-pass yield)",
    "operate": "On a kiosk tablet (badge or PIN): run operations, report pieces, clock in and out, add notes",
}
_QUALITY = {"view_quality", "edit_quality_plans", "record_inspections", "open_ncrs", "disposition_ncrs"}
# Traceability (mto 0011): the inspector and Managers trace and recall; the pack prints with the shipment's papers.
_TRACE = {"trace_shipments", "print_certificate_packs"}
# First articles are accepted, and the quality reports read, by Quality and Managers (mto 0012).
_QUALITY |= {"accept_first_articles", "view_quality_reports"}

_OFFICE = {
    "view_orders",
    "manage_customers",
    "edit_orders",
    "close_orders",
    "view_jobs",  # only view: new jobs and routings are the Manager's (plan_jobs, migration mto 0007)
    "view_shipments",
    "view_quotes",
    "edit_quotes",  # Office prepares and sends quotes (mto 0008)
}
ROLE_CAPABILITIES = {
    OFFICE: _OFFICE,
    MANAGER: _OFFICE
    | {"approve_orders", "plan_jobs", "manage_jobs", "void_shipments", "view_reports", "approve_quotes"}
    | {"view_purchasing", "buy", "receive"}
    | _QUALITY  # Managers may do everything quality does (mto 0010)
    | _TRACE,
    # Everyone who may see orders may see quotes (mto 0008).
    # The floor sees what it waits on (material, pieces at a vendor) but does not buy (mto 0009).
    # Leads record inspections and open NCRs at their operations (mto 0010).
    SHOP_FLOOR: {"view_orders", "view_jobs", "run_floor", "view_quotes", "view_purchasing"}
    | {"view_quality", "record_inspections", "open_ncrs"},
    # Shipping clerks may receive at the dock (mto 0009) and print the certificate pack that goes in the box (0011).
    SHIPPING: {"view_orders", "view_jobs", "view_shipments", "ship", "view_quotes", "view_purchasing", "receive"}
    | {"print_certificate_packs"},
    PURCHASING: {"view_orders", "view_jobs", "view_quotes", "view_purchasing", "buy", "receive"},
    # The inspector: plans, inspections, NCR dispositions; views everything on the floor (mto 0010).
    QUALITY: {"view_orders", "view_jobs", "view_quotes", "view_purchasing"} | _QUALITY | _TRACE,
    # The people at the machines, identified on a kiosk tablet (badge or PIN), never by password (mto 0013).
    OPERATOR: {"operate", "record_inspections", "open_ncrs"},
}


def perm(codename: str) -> str:
    if codename not in CAPABILITIES:
        raise ValueError(f"unknown capability {codename!r}")
    return f"mto.{codename}"


def user_role_names(user) -> list[str]:
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_mto_roles"):
        load_roles_and_permissions(user)
    return user._mto_roles


def load_roles_and_permissions(user) -> None:
    """The user's role names and permissions in one query, kept on the user object for this request.

    Every page needs both (the menu shows the roles, the views and templates ask for capabilities);
    Django's ModelBackend reads the permissions in two queries (the user's, the groups') and the role
    names would take a third. The cache lives as long as the user object, i.e. one request, exactly like
    ModelBackend's `_perm_cache`, so a role taken away applies from the next request on.
    """
    from django.contrib.auth.models import Group, Permission

    fields = ("content_type__app_label", "codename")
    by_role = Group.objects.filter(user=user).order_by().values_list("name", *(f"permissions__{f}" for f in fields))
    direct = (
        Permission.objects.filter(user=user)
        .order_by()
        .annotate(role=Value(None, output_field=CharField()))
        .values_list("role", *fields)
    )
    # A superuser's are all permissions: ModelBackend's way (no _perm_cache set for one).
    _keep_roles(user, by_role.union(direct, all=True))


def _keep_roles(user, rows) -> None:
    """Store (role, app_label, codename) rows on the user as load_roles_and_permissions does."""
    roles, permissions = set(), set()
    for role, app_label, codename in rows:
        if role:
            roles.add(role)
        if codename:
            permissions.add(f"{app_label}.{codename}")
    user._mto_roles = sorted(roles)
    if user.is_active and not user.is_superuser:
        user._perm_cache = permissions


def _user_rows(pk) -> QuerySet:
    """One row per (role, permission) of the user (its columns repeat the user's fields), with the bell's count as
    an uncorrelated subquery (PostgreSQL evaluates it once)."""
    from .models import Notification

    User = get_user_model()
    unread = (
        Notification.objects.filter(recipient_id=pk, channel=Notification.Channel.IN_APP, read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    perm = ("content_type__app_label", "codename")
    return (
        User._default_manager.filter(pk=pk)
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
        .order_by()
        .values_list(
            *_user_columns(),
            "unread",
            "groups__name",
            *(f"groups__permissions__{f}" for f in perm),
            *(f"user_permissions__{f}" for f in perm),
        )  # fmt: skip
    )


def _user_columns() -> list[str]:
    return [f.attname for f in get_user_model()._meta.concrete_fields]


# Every request reads it: compiled once per process and prepared (mto.reads.CompiledRows), the ORM's compilation
# of its six joins cost more than PostgreSQL running it.
_USER_ROWS = reads.CompiledRows(_user_rows)


def _role_rows(rows, n: int) -> list[tuple]:
    """(role, app_label, codename) of rows whose columns n + 1 .. n + 5 are the group's name, its permission's
    app and codename, and a permission of the user's own (_user_rows, _token_rows)."""
    return [(r[n + 1], r[n + 2], r[n + 3]) for r in rows] + [(None, r[n + 4], r[n + 5]) for r in rows if r[n + 5]]


def _token_rows(key) -> QuerySet:
    """An API token with its user's fields, roles and permissions: one row per (role, permission), as _user_rows
    (no bell: the API shows none)."""
    from rest_framework.authtoken.models import Token

    perm = ("content_type__app_label", "codename")
    return (
        Token.objects.filter(key=key)
        .order_by()
        .values_list(
            "created",
            *(f"user__{name}" for name in _user_columns()),
            "user__groups__name",
            *(f"user__groups__permissions__{f}" for f in perm),
            *(f"user__user_permissions__{f}" for f in perm),
        )  # fmt: skip
    )


# Every API request reads it (the tablets' above all): compiled once and prepared, as the session's user.
_TOKEN_ROWS = reads.CompiledRows(_token_rows, key_type=str)


def user_of_token(key: str):
    """(user with its roles and permissions kept, token) for an API token's key, or None: one query (DRF's
    TokenAuthentication takes two, the token with its user, then the permissions)."""
    from rest_framework.authtoken.models import Token

    if "\x00" in key:  # PostgreSQL refuses NUL in text: no token has one
        return None
    rows = _TOKEN_ROWS.rows(key)
    if not rows:
        return None
    User = get_user_model()
    names = _user_columns()
    n = len(names)
    user = User.from_db(User._default_manager.db, names, rows[0][1 : n + 1])
    _keep_roles(user, _role_rows(rows, n))
    token = Token.from_db(Token._default_manager.db, ["key", "user_id", "created"], [key, user.pk, rows[0][0]])
    token._state.fields_cache["user"] = user
    return user, token


def _user_with_roles_and_bell(user_id):
    """The session's user, its roles and permissions, and its unread in-app notifications: one query.

    Pages need all three on every request: the menu shows the roles, views and templates ask for capabilities,
    the bell shows the count.
    """
    User = get_user_model()
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    names = _user_columns()
    rows = _USER_ROWS.rows(pk)
    if not rows:
        return None
    n = len(names)
    user = User.from_db(User._default_manager.db, names, rows[0][:n])
    user._mto_unread_notifications = rows[0][n]
    _keep_roles(user, _role_rows(rows, n))
    return user


class RoleBackend(ModelBackend):
    """ModelBackend that reads a user's permissions together with the role names (one query, not three), and,
    for a signed-in session, together with the user itself and the bell's count (one query, not three)."""

    def get_user(self, user_id):
        user = _user_with_roles_and_bell(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if user_obj.is_active and not user_obj.is_anonymous and obj is None and not hasattr(user_obj, "_perm_cache"):
            load_roles_and_permissions(user_obj)
        return super().get_all_permissions(user_obj, obj)


class CapabilityRequiredMixin(PermissionRequiredMixin):
    """403 (not a login loop) for a signed-in user without the capability; anonymous users go to login."""

    capability: str | tuple[str, ...] = ()  # a tuple: any one of them

    def get_permission_required(self):
        caps = (self.capability,) if isinstance(self.capability, str) else self.capability
        if not caps:
            raise ValueError(f"{type(self).__name__} must name a capability")
        return [perm(c) for c in caps]

    def has_permission(self):
        # A tuple names alternatives, as the API's HasCapability and a Transition's capability do: any one will do.
        return any(self.request.user.has_perm(p) for p in self.get_permission_required())

    def handle_no_permission(self):
        self.raise_exception = self.request.user.is_authenticated
        return super().handle_no_permission()


def sync_role_groups(apps, schema_editor=None):
    """Put back the groups and grants the role data migrations make (tests that flush the tables use it).

    Replays each mto migration's frozen `grant_roles` in order, so the result is what `migrate` gives.
    """
    import importlib
    import pkgutil

    from mto import migrations

    for module in sorted(m.name for m in pkgutil.iter_modules(migrations.__path__)):
        grant = getattr(importlib.import_module(f"mto.migrations.{module}"), "grant_roles", None)
        if grant:
            grant(apps, schema_editor)
