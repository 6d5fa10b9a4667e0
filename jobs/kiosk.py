"""Kiosk tablets: the device session (a signed cookie backed by a KioskDevice row), the operator badged in on it,
and the middleware that keeps an enrolled tablet on its own work center's kiosk pages.

- The device cookie holds the device's id and a secret (signed, HttpOnly, a year long); the row keeps the secret's
  hash. A revoked or unknown cookie is dropped at the next request.
- Only views marked `kiosk_view = True` (KioskViewMixin) answer an enrolled tablet; every other page, the API and
  the admin answer 403, whoever may be signed in on it. Kiosk views themselves check the work center.
- The operator badged in is kept in the tablet's session with the time of their last action; after
  KIOSK_IDLE_MINUTES without one the server forgets them (the page's own timer goes back to the badge screen).
  While badged in, `request.user` is the operator for that request only: they are never logged in.
- Every tap on a kiosk job screen carries a tap token (X-Kiosk-Tap), signed when the screen was drawn: this
  device, its work center and the operator badged in then. A tap the tablet kept through a network cut and replays
  later (X-Floor-Replay) is done as that operator, even if they were signed off meanwhile (idle, Done, another
  operator badged in), but only within KIOSK_REPLAY_MINUTES of the drawing and only on that device at that work
  center. A live tap is never done as anyone but the operator badged in now.
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
TAP_SALT = "mto.kiosk.tap"
TAP_HEADER = "X-Kiosk-Tap"
REPLAY_HEADER = "X-Floor-Replay"
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


# --- taps kept through a network cut ---------------------------------------------------------------------------


class TapRefused(Exception):
    """A tap token this kiosk does not take (forged, too old, another tablet's or work center's)."""


def tap_token(device: KioskDevice, operator) -> str:
    """What the job screen drawn for `operator` on `device` signs into every tap made on it."""
    return signing.dumps({"d": device.pk, "w": device.work_center_id, "o": operator.pk}, salt=TAP_SALT)


def tap_expired_message() -> str:
    return (f"It was tapped more than {settings.KIOSK_REPLAY_MINUTES:g} minutes before it reached the server, too "
            "long ago to be done now. Check the job and tap again.")  # fmt: skip


def tap_operator(request, token: str):
    """(the operator a tap token names, whether it is within KIOSK_REPLAY_MINUTES of its drawing); TapRefused
    with the reason if this tablet does not take it (forged, another device's or work center's, no operator)."""
    device = request.kiosk
    try:
        data = signing.loads(token, salt=TAP_SALT)
        device_id, work_center_id, user_id = int(data["d"]), int(data["w"]), int(data["o"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise TapRefused("This tablet did not draw the screen it was tapped on.") from None
    try:
        signing.loads(token, salt=TAP_SALT, max_age=settings.KIOSK_REPLAY_MINUTES * 60)
        fresh = True
    except signing.SignatureExpired:
        fresh = False
    if device_id != device.pk or work_center_id != device.work_center_id:
        raise TapRefused(f"It was tapped on another kiosk, not on {device.work_center.code}'s.")
    user = get_user_model().objects.filter(pk=user_id, is_active=True, operator_profile__isnull=False).first()
    if user is None or not user.has_perm("mto.operate"):
        raise TapRefused("The operator who tapped it may no longer operate.")
    return user, fresh
