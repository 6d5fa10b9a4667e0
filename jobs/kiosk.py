"""Kiosk tablets: the device session (a signed cookie backed by a KioskDevice row), the operator badged in on it,
and the middleware that keeps an enrolled tablet on its own work center's kiosk pages.

- The device cookie holds the device's id and a secret (signed, HttpOnly, a year long); the row keeps the secret's
  hash. A revoked or unknown cookie is dropped at the next request.
- Only views marked `kiosk_view = True` (KioskViewMixin) answer an enrolled tablet; every other page, the API and
  the admin answer 403, whoever may be signed in on it. Kiosk views themselves check the work center.
- The operator badged in is kept in the tablet's session with the time of their last action; after
  KIOSK_IDLE_MINUTES without one the server forgets them (the page's own timer goes back to the badge screen).
  While badged in, `request.user` is the operator for that request only: they are never logged in.
"""

import time

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.backends import BaseBackend
from django.core import signing
from django.http import HttpResponseForbidden, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone

from .models import KioskDevice, OperatorProfile
from .services.operators import kiosk_secret_hash, operator_check_pin

COOKIE = "mto_kiosk"
SALT = "mto.kiosk.device"
SESSION_OPERATOR = "kiosk_operator"
SESSION_SEEN = "kiosk_seen"
SESSION_DEVICE = "kiosk_device"
ALWAYS_OPEN = ("/static/", "/favicon")


def device_cookie_value(device: KioskDevice, secret: str) -> str:
    return signing.dumps({"d": device.pk, "s": secret}, salt=SALT, compress=True)


def set_device_cookie(response, device: KioskDevice, secret: str) -> None:
    response.set_cookie(
        COOKIE, device_cookie_value(device, secret), max_age=settings.KIOSK_COOKIE_DAYS * 86400, httponly=True,
        secure=settings.SESSION_COOKIE_SECURE, samesite="Lax",
    )  # fmt: skip


def device_from_cookie(value: str | None) -> KioskDevice | None:
    if not value:
        return None
    try:
        data = signing.loads(value, salt=SALT)
        device_id, secret = int(data["d"]), str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    device = KioskDevice.objects.select_related("work_center").filter(pk=device_id, revoked_at=None).first()
    if device is None or device.secret_hash != kiosk_secret_hash(secret):
        return None
    return device


def refusal(request, message: str):
    """The kiosk's 403: a page of its own (no menu, a way back to the kiosk), JSON under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "kiosk_only"}, status=403)
    device = getattr(request, "kiosk", None)
    html = render_to_string("jobs/kiosk/refused.html", {"message": message, "device": device}, request=request)
    return HttpResponseForbidden(html)


def _refuse(request, device: KioskDevice):
    return refusal(
        request,
        f"This tablet is the kiosk of {device.work_center.code} · {device.work_center.name}: it opens only that "
        "work center's kiosk pages.",
    )


class KioskMiddleware:
    """Recognises an enrolled tablet by its cookie (request.kiosk) and refuses it every non-kiosk view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.COOKIES.get(COOKIE)
        request.kiosk = device_from_cookie(raw)
        response = self.get_response(request)
        if raw and request.kiosk is None:
            response.delete_cookie(COOKIE, samesite="Lax")  # revoked or forged: this is an ordinary browser again
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        device = request.kiosk
        if device is None:
            return None
        view_class = getattr(view_func, "view_class", None)
        if getattr(view_class, "kiosk_view", False) or request.path.startswith(ALWAYS_OPEN):
            return None
        return _refuse(request, device)


# --- the operator on the tablet -------------------------------------------------------------------------------


def operator_badge_in(request, user) -> None:
    request.session.cycle_key()
    request.session[SESSION_OPERATOR] = user.pk
    request.session[SESSION_DEVICE] = request.kiosk.pk
    request.session[SESSION_SEEN] = time.time()


def operator_sign_off(request) -> None:
    for key in (SESSION_OPERATOR, SESSION_SEEN, SESSION_DEVICE):
        request.session.pop(key, None)


def badged_operator(request, *, activity: bool):
    """The operator badged in on this tablet, or None (none, another tablet's, idle too long, no longer an
    operator). `activity`: this request is someone's action, which keeps the operator badged in."""
    session = request.session
    user_id = session.get(SESSION_OPERATOR)
    if user_id is None:
        return None
    idle = time.time() - float(session.get(SESSION_SEEN) or 0)
    if session.get(SESSION_DEVICE) != request.kiosk.pk or idle > settings.KIOSK_IDLE_MINUTES * 60:
        operator_sign_off(request)
        request.kiosk_idle_signed_off = True
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True, operator_profile__isnull=False).first()
    if user is None or not user.has_perm("mto.operate"):
        operator_sign_off(request)
        return None
    if activity:
        session[SESSION_SEEN] = time.time()
    return user


def operator_for_badge(code: str):
    code = (code or "").strip()
    if not code or len(code) > 64:
        return None
    profile = OperatorProfile.objects.select_related("user").filter(badge_key=code, user__is_active=True).first()
    return profile.user if profile else None


def operator_for_pin(request, *, operator, pin: str):
    """The operator if `pin` is theirs; throttled by django-axes like a password (AUTHENTICATION_BACKENDS has
    AxesStandaloneBackend first: five failures lock the operator on that tablet for AXES_COOLOFF_TIME)."""
    return authenticate(request, username=operator.get_username(), kiosk_pin_password=pin)


class KioskPinBackend(BaseBackend):
    """Authenticates an operator by PIN (only with `kiosk_pin_password`, so a password login never reaches it).

    The credential's name contains "password" so Django and axes mask it in what they log."""

    def authenticate(self, request, username=None, kiosk_pin_password=None, **kwargs):
        if username is None or kiosk_pin_password is None or getattr(request, "kiosk", None) is None:
            return None
        profile = (
            OperatorProfile.objects.select_related("user")
            .filter(user__username=username, user__is_active=True)
            .first()
        )
        if profile is None or not operator_check_pin(profile=profile, pin=kiosk_pin_password):
            return None
        return profile.user

    def get_user(self, user_id):
        return None  # never a session login


def device_touch(device: KioskDevice) -> None:
    """When the tablet was last seen (the managers' list shows it); at most once a minute."""
    now = timezone.now()
    if device.last_seen_at is None or (now - device.last_seen_at).total_seconds() > 60:
        KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
