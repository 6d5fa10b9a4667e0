"""MTO settings, all read from the environment.

With no DATABASE_URL the app runs on a SQLite file in the project; with no REDIS_URL Celery runs
tasks eagerly (after commit), so the demo needs no broker. DEBUG is off unless DEBUG=1 is set (`make run`
and the test settings set it), and then SECRET_KEY must be given.
"""

from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "mto",
    "sales",
    "jobs",
    "shipping",
    "purchasing",
    "quality",
    "planning",
    "quotes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mto.middleware.SecurityHeadersMiddleware",
    "mto.api.ApiErrorsMiddleware",  # JSON answers under /api/, errors included
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An enrolled kiosk tablet (jobs.kiosk) opens its work center's kiosk pages only: before the login check.
    "jobs.kiosk.KioskMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "mto.middleware.RefuseNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with a user's roles and permissions read in one query (mto/roles.py).
    "mto.roles.RoleBackend",
    # Operators' PINs on a kiosk tablet (never a password login); behind axes, so PINs are throttled alike.
    "jobs.kiosk.KioskPinBackend",
]
# Login throttling: five failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

ROOT_URLCONF = "mto.urls"
WSGI_APPLICATION = "mto.wsgi.application"

TEMPLATES = [
    {
        # Django's engine with localization off (one locale: see mto/template_engine.py). NAME keeps the alias
        # "django" that django-template-partials looks for to add its loader.
        "BACKEND": "mto.template_engine.Templates",
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mto.context_processors.roles",
                "mto.context_processors.notifications",
            ],
        },
    },
]
# Form fields print through Django's Jinja2 widget templates, Django templates where only those exist.
FORM_RENDERER = "mto.form_renderer.FormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Health checks let a persistent connection survive a PostgreSQL restart between requests.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("PREPARED_READS", default=True):
    # psycopg prepares what mto.reads asks it to (fetch(prepared=True): the detail pages' reads by key) and
    # nothing else: Django's cursors bind on the client and cannot prepare, and no statement reaches this
    # threshold on its own. Django leaves it None (off) for poolers that cannot keep prepared statements
    # (PgBouncer in transaction mode before 1.21): PREPARED_READS=0 for those.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
# Django's database sessions, their per-request read compiled once (mto/sessions.py).
SESSION_ENGINE = "mto.sessions"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded drawings: never served by the web server directly, only through a login-checked view.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
DRAWING_MAX_BYTES = env.int("DRAWING_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mto.api.auth.TokenAuthentication",  # DRF's, in one prepared statement
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["mto.api.HasCapability"],
    "DEFAULT_PAGINATION_CLASS": "mto.api.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["mto.api.FilterBackend"],
    # JSON only, through a parser that refuses with 400 what would crash further on (mto/api.py).
    "DEFAULT_PARSER_CLASSES": ["mto.api.JSONParser"],
    "DEFAULT_METADATA_CLASS": None,  # OPTIONS answers 405 like any method a URL does not have
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mto.api.exception_handler",
    # DRF's JSONRenderer with orjson's encoding (mto/api/renderers.py: the same bytes).
    "DEFAULT_RENDERER_CLASSES": ["mto.api.renderers.FastJSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MTO API",
    "DESCRIPTION": "Orders, jobs and shipments of a make-to-order shop. Same rules and roles as the web pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page's assets come from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The quote's decline reasons appear on the model and on the decline action: one enum for both.
    "ENUM_NAME_OVERRIDES": {"QuoteDeclineReasonEnum": "quotes.models.Quote.DeclineReason"},
    # The schema and the docs page are for signed-in users (the docs page redirects to the login).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: EMAIL_URL names the server (django-environ's e-mail URL); EMAIL_BACKEND overrides its backend.
# Under DEBUG the messages go to files in sent-mail/ of this checkout (not the console), so the
# demo's notifications do not scroll the development server's address away.
_email = env.email("EMAIL_URL", default="filemail://" if DEBUG else "smtp://localhost:25")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=_email["EMAIL_BACKEND"])
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=_email["EMAIL_FILE_PATH"] or str(BASE_DIR / "sent-mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MTO <mto@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SHOP_NAME = env.str("SHOP_NAME", default="Acme Machine Works")
# The letterhead of printed quotes: address (", " separates its lines on paper), phone, e-mail.
SHOP_ADDRESS = env.str("SHOP_ADDRESS", default="12 Foundry Road, Springfield, IL 62701")
SHOP_PHONE = env.str("SHOP_PHONE", default="+1 217 555 0100")
SHOP_EMAIL = env.str("SHOP_EMAIL", default="sales@acme-machine.example.com")

# Celery: without REDIS_URL tasks run eagerly, so the demo needs no broker.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker keeps reconnecting however long Redis is away (Celery's default gives up after 100 tries),
# at most 5 s apart (mto.celery.Consumer), so it is back within seconds of Redis.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CONSUMER = "mto.celery:Consumer"
# A publish to a dead broker must fail fast, inside the request: one connection attempt, no retry, no sleep
# (max_retries 0; kombu otherwise sleeps 2 s per publish, Celery's publish retries another 0.6 s); the outbox
# sweeper sends the row later. Raise the connect timeout only for a broker across a slow link.
CELERY_TASK_PUBLISH_RETRY = False
# visibility_timeout: how long an unacknowledged task (its worker died) waits before Redis hands it out again.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    "max_retries": 0,
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=0.05),
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = TIME_ZONE
NOTIFICATION_SWEEP_SECONDS = env.int("NOTIFICATION_SWEEP_SECONDS", default=10)
CELERY_BEAT_SCHEDULE = {
    "sweep-unsent-notifications": {
        "task": "mto.tasks.sweep_unsent_notifications",
        "schedule": float(NOTIFICATION_SWEEP_SECONDS),
    },
    "expire-quotes": {
        "task": "quotes.tasks.expire_quotes",
        "schedule": crontab(hour=0, minute=15),
    },
    "plan-nightly": {
        "task": "planning.tasks.plan_nightly",
        "schedule": crontab(hour=env.int("PLANNING_NIGHTLY_HOUR", default=2), minute=0),
    },
    "late-digest": {
        "task": "jobs.tasks.send_late_digest",
        "schedule": crontab(hour=env.int("DIGEST_HOUR", default=6), minute=30),
    },
}
# Planning (issue 20): the solver's time limit per run, its workers, the wait after an event that changes the
# plan (a burst of events makes one run), how often a request retries while another run holds the lock.
PLANNING_SOLVER_SECONDS = env.int("PLANNING_SOLVER_SECONDS", default=10)
PLANNING_SOLVER_WORKERS = env.int("PLANNING_SOLVER_WORKERS", default=2)
# The rolling window of CP-SAT after the full model (planning/engine/window.py): at shop scale the full model
# finds nothing better than its warm start in its time, the window does; 0 leaves it out.
PLANNING_WINDOW_SECONDS = env.int("PLANNING_WINDOW_SECONDS", default=PLANNING_SOLVER_SECONDS)
PLANNING_DEBOUNCE_SECONDS = env.int("PLANNING_DEBOUNCE_SECONDS", default=30)
PLANNING_BUSY_RETRY_SECONDS = env.int("PLANNING_BUSY_RETRY_SECONDS", default=5)
PLANNING_TASK_SOFT_SECONDS = env.int("PLANNING_TASK_SOFT_SECONDS", default=300)
PLANNING_AFTER_EVENTS = env.bool("PLANNING_AFTER_EVENTS", default=True)
# Outbox: an e-mail still pending this long after its commit is sent by the sweeper (every
# NOTIFICATION_SWEEP_SECONDS), so a row left by a broker outage goes out at most sweep + grace = 25 s after the
# broker is back; a send claimed this long ago by a worker that died is claimed again (a send takes seconds;
# the task's hard limit is 90 s, so a live send is never reclaimed).
NOTIFICATION_GRACE_SECONDS = env.int("NOTIFICATION_GRACE_SECONDS", default=15)
NOTIFICATION_LEASE_SECONDS = env.int("NOTIFICATION_LEASE_SECONDS", default=300)
# The domain of every outbox e-mail's Message-ID (<notification.ID.CREATED@DOMAIN>): the same on each attempt,
# so a receiver that saw it drops a repeat. Use a domain of yours, unique to this installation.
NOTIFICATION_MESSAGE_ID_DOMAIN = env.str(
    "NOTIFICATION_MESSAGE_ID_DOMAIN", default=DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Quotes: the shop's default markup, the margin below which a Manager approves before sending, and the
# window of completed jobs the estimate-accuracy figures read.
QUOTE_DEFAULT_MARKUP_PERCENT = Decimal(env.str("QUOTE_DEFAULT_MARKUP_PERCENT", default="30"))
QUOTE_MIN_MARGIN_PERCENT = Decimal(env.str("QUOTE_MIN_MARGIN_PERCENT", default="15"))
# A shop floor lead may reopen an operation this many minutes after finishing it; a manager any time before
# its job completes.
OPERATION_REOPEN_MINUTES = env.int("OPERATION_REOPEN_MINUTES", default=10)
# Kiosk tablets (issue 21): the operator badged in is forgotten after this many minutes without an action (the
# page goes back to the badge screen too); the tablet's enrolment cookie lasts this many days (revocable).
KIOSK_IDLE_MINUTES = env.float("KIOSK_IDLE_MINUTES", default=3)
KIOSK_COOKIE_DAYS = env.int("KIOSK_COOKIE_DAYS", default=365)
# A tap kept on a kiosk tablet through a network cut is done as the operator who tapped it (even if signed off
# since) when it reaches the server within this many minutes of the screen it was tapped on being drawn.
KIOSK_REPLAY_MINUTES = env.float("KIOSK_REPLAY_MINUTES", default=60)
QUOTE_ACCURACY_DAYS = env.int("QUOTE_ACCURACY_DAYS", default=180)
QUOTE_VALID_DAYS = env.int("QUOTE_VALID_DAYS", default=30)
# Quality: the first job of a part revision, and a job whose drawing revision a change order changed, need a
# first-article inspection accepted before their first operation passes more than the first piece on.
QUALITY_FIRST_ARTICLE = env.bool("QUALITY_FIRST_ARTICLE", default=True)
# Purchasing: how far a PO line may be over-received (percent of its quantity).
PURCHASING_RECEIVE_TOLERANCE_PERCENT = Decimal(env.str("PURCHASING_RECEIVE_TOLERANCE_PERCENT", default="5"))
# The terms printed at the foot of every quote.
QUOTE_TERMS = env.str(
    "QUOTE_TERMS",
    default="Prices per piece, ex works, excluding taxes and freight. Payment 30 days net from invoice. "
    "Lead time from receipt of order and approved drawings. Delivered quantities may vary by 5 % on orders of "
    "100 pieces or more. Our standard terms of sale apply.",
)

# Production hardening, active when DEBUG=0.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # A browser keeps Secure cookies only over https: SECURE_COOKIES=0 (with SECURE_SSL_REDIRECT=0) lets
    # production settings be tried on http://127.0.0.1, where no TLS proxy stands in front.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
