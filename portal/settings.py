"""Settings for the support portal, read from the environment.

Every setting has an embedded default so that a fresh machine runs the portal on SQLite and
Celery's filesystem transport; ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
The README lists every variable.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

from lib.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# The "django-insecure-" prefix makes `check --deploy` fail (security.W009) when production
# forgets to set its own key.
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-development-key-only-for-local-demo-use-change-me-in-production",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    # Before the admin: it sets a default of the admin's forms (lib/admin_widgets.py).
    "lib",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "audit",
    "accounts",
    "sla",
    "tenants",
    "tickets",
    "onboarding",
    "reports",
    "outbox",
    "events",
    "availability",
    "api",
    "home",
]

MIDDLEWARE = [
    # /healthz is answered here, before host checks, HTTPS redirects, sessions and sign-in.
    "portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "lib.middleware.SecurityHeadersMiddleware",
    "lib.middleware.RequestSizeLimitMiddleware",
    "lib.middleware.HttpMethodsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tenants.middleware.PersonTimeZoneMiddleware",
    "audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.AccountSecurityMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the sign-in refusals of every view (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.navigation",
                "tickets.context_processors.queue_navigation",
                "outbox.context_processors.outbox_navigation",
            ],
            # The portal's formatting filters in every template (lib/templatetags/portal.py).
            "builtins": ["lib.templatetags.portal"],
        },
    },
    # Plain-text email (lib.mail): the same template folders, but no HTML escaping, so that
    # "O'Brien" stays O'Brien in a text email. Only lib.mail renders through it.
    {
        "NAME": "mail",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False, "builtins": ["lib.templatetags.portal"]},
    },
]

# Form widgets, labels and error lists through Jinja2 (lib/forms.py); pages stay Django templates.
FORM_RENDERER = "lib.forms.FormRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat write to one file: WAL lets readers go on while one
    # writer commits, IMMEDIATE transactions avoid "database is locked" on lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "tenants.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked account before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, reading a person's permissions in one query.
    "tenants.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: stored with their user (accounts.Session) so that all of a person's sessions can be
# ended at once. The idle timeout is the session's age, renewed while the person is active; the
# absolute lifetime ends a session that long after sign-in, however busy.
SESSION_ENGINE = "accounts.session_store"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_LIFETIME_SECONDS = env.int("SESSION_ABSOLUTE_LIFETIME_SECONDS", default=12 * 3600)

# Sign-in throttling (django-axes): the 6th attempt within AXES_COOLOFF_TIME after five failures
# for one account is refused, whatever the password; the lockout ends by itself after the
# cool-off or when a support manager ends it (/accounts/manage/). Counted per account, not per
# address: customers share office networks, and an attacker has many addresses.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.throttling.username_of"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# The audit log records sign-ins; axes keeps only what it needs to count failures.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# The address axes records with a failure: the same one as everywhere else (lib/client.py).
AXES_CLIENT_IP_CALLABLE = "lib.client.client_address"

# Two-factor sign-in (django-otp): TOTP apps and one-time recovery codes.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Support portal")
OTP_TOTP_TOLERANCE = 1
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Password-reset emails: at most this many per address and per client address in the window.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env.int("PASSWORD_RESET_LIMIT_PER_CLIENT", default=10)
PASSWORD_RESET_WINDOW_SECONDS = env.int("PASSWORD_RESET_WINDOW_SECONDS", default=3600)

# --- Time -----------------------------------------------------------------------------------
# Aware UTC inside; the SLA calendar carries the vendor's local time zone (Europe/Helsinki).
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Helsinki")
LANGUAGE_CODE = "en-gb"
USE_I18N = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (/favicon.ico), served by whitenoise before sign-in.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
# Uploaded attachments live outside the static tree and are only served through a view that
# checks access; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# One form (a ticket, a reply) carries at most this many files and bytes of files.
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=10)
ATTACHMENT_MAX_TOTAL_BYTES = env.int("ATTACHMENT_MAX_TOTAL_BYTES", default=50 * 1024 * 1024)
# A request body larger than this is refused (413) before Django reads it: the attachments of one
# form plus room for its text fields.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=ATTACHMENT_MAX_TOTAL_BYTES + 1024 * 1024)
# Django refuses a request with more files than this (400), before the form counts them.
DATA_UPLOAD_MAX_NUMBER_FILES = ATTACHMENT_MAX_FILES + 5
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Mail -----------------------------------------------------------------------------------
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    # A development machine: each mail is saved whole under var/mail/ and announced by one log
    # line (lib/mail_backend.py).
    EMAIL_BACKEND = "lib.mail_backend.SavedMailBackend"
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Support portal <support@portal.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in emails follow the port the portal was started on (``make run`` with ``PORTAL_PORT``).
PORTAL_BASE_URL = env.str(
    "PORTAL_BASE_URL", default=f"http://127.0.0.1:{env.int('PORTAL_PORT', default=8000)}"
)
# Who hears about breaches beyond the support managers: the management team is told when a P1
# has no resolution, workaround or action plan at its resolution target (4 hours).
SLA_MANAGEMENT_TEAM_EMAILS = env.list("SLA_MANAGEMENT_TEAM_EMAILS", default=[])
# The vendor's onboarding team, reminded of overdue vendor steps; the support managers when empty.
ONBOARDING_VENDOR_EMAILS = env.list("ONBOARDING_VENDOR_EMAILS", default=[])

# --- Outgoing mail (the outbox) ---------------------------------------------------------------
# Every message is a row written in the transaction that records why it is sent; a worker sends
# the rows (outbox/delivery.py). "task" asks a Celery task for each committing transaction,
# "inline" sends in the committing process (tests), "off" leaves it all to the beat's run.
OUTBOX_DELIVER_ON_COMMIT = env.str("OUTBOX_DELIVER_ON_COMMIT", default="task")
OUTBOX_DELIVER_INTERVAL_SECONDS = env.float("OUTBOX_DELIVER_INTERVAL_SECONDS", default=60.0)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=10)
# Socket timeout of each SMTP round trip: a hung server costs one timeout, not a hung worker.
OUTBOX_SEND_TIMEOUT_SECONDS = env.float("OUTBOX_SEND_TIMEOUT_SECONDS", default=10.0)
# How long a claimed row stays with its worker; a worker that died gives its rows back after
# this. Long enough for a batch on a slow server, short enough that a crash delays mail little.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=120)
# One delivery run stops claiming after this long, so other tasks get a worker in between.
OUTBOX_DELIVER_SECONDS = env.float("OUTBOX_DELIVER_SECONDS", default=20.0)
# Back-off 1, 2, 4 … minutes up to an hour: 8 attempts span about two hours of outage.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_KEEP_SENT_DAYS = env.int("OUTBOX_KEEP_SENT_DAYS", default=30)
# A queue of its own for mail delivery, consumed by a worker of its own, so that a slow mail
# server never keeps the SLA sweep waiting for a worker slot; empty: the default queue.
OUTBOX_QUEUE = env.str("OUTBOX_QUEUE", default="")

# --- Health (/healthz) ----------------------------------------------------------------------
# Beat records a heartbeat every minute: five missed beats mean it is not running.
HEALTHZ_BEAT_MAX_AGE_SECONDS = env.int("HEALTHZ_BEAT_MAX_AGE_SECONDS", default=300)
# Mail due for longer than this means delivery is stuck (no worker, or the mail server is down).
HEALTHZ_OUTBOX_MAX_DELAY_SECONDS = env.int("HEALTHZ_OUTBOX_MAX_DELAY_SECONDS", default=900)
HEALTHZ_BROKER_TIMEOUT_SECONDS = env.float("HEALTHZ_BROKER_TIMEOUT_SECONDS", default=1.0)

# --- Security (production values come from the environment) ---------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many load balancers or proxies stand in front of the web nodes, each appending the address
# it was connected from to X-Forwarded-For (lib/client.py). 0: the connection's own address is
# the client's. Set it to the real number: one too many lets a client choose its address.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Over HTTPS the cookies carry the __Host- prefix: the browser then refuses them unless they are
# secure, for this exact host and path /, so a sibling subdomain cannot plant or shadow them.
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
if CSRF_COOKIE_SECURE:
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading is a commitment for the whole domain that anyone can submit once the header
# carries "preload", so it stays an explicit opt-in and its deploy-check warning is silenced
# only while it is off on purpose.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# django-axes warns when lockouts are not also counted per client address. They are counted per
# account on purpose (see AXES_LOCKOUT_PARAMETERS): the count cannot be escaped by changing the
# user agent, cookies or address, and one limit per address would lock out a customer's whole
# office behind one NAT address after five typos.
SILENCED_SYSTEM_CHECKS += ["axes.W006"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): only the portal's own files, no inline script or style
# anywhere (templates load static/js and static/css), no plugins, no framing, no <base>, and
# forms post only back to the portal.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Browser features the portal never uses, switched off for it and anything it might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# Pages are read with GET and changed with POST; other methods get 405 everywhere.
HTTP_METHODS_ALLOWED = ("GET", "HEAD", "POST", "OPTIONS")

# Every list page holds its page size to this many rows, whatever ``per_page`` asks for.
PAGE_SIZE_MAX = env.int("PAGE_SIZE_MAX", default=100)

# Rate limits count in a cache every web process shares: Redis when configured, else files.
RATE_LIMIT_CACHE = "ratelimit"

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache" / "ratelimit"),
        }
    ),
}
CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # Embedded default: kombu's filesystem transport works across processes (web, worker,
    # beat) with no server at all. It polls, so tasks start within about a second.
    for sub in ("queue", "processed", "control"):
        (CELERY_DATA_DIR / sub).mkdir(parents=True, exist_ok=True)
    # The host part names nothing (the folders below are the broker); it is there because
    # kombu warns about every connection without one.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_DATA_DIR / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection around every task unless told to reuse
# it, so each task paid for a new PostgreSQL backend (some twenty a second in the busy hour).
# The worker treats a task as Django treats a request instead (portal/celery.py): CONN_MAX_AGE
# and CONN_HEALTH_CHECKS decide when a connection is closed or checked.
CELERY_DB_REUSE_MAX = sys.maxsize
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Enqueueing from a web request must not hang when the broker is down: fail fast, log, and let
# the periodic sweep pick up whatever is due.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False

# Separate deployments (or test runs) sharing one Redis keep their tasks apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TASK_ROUTES = {"outbox.tasks.*": {"queue": OUTBOX_QUEUE}} if OUTBOX_QUEUE else {}
SLA_SWEEP_INTERVAL_SECONDS = env.float("SLA_SWEEP_INTERVAL_SECONDS", default=60.0)
MAINTENANCE_NOTICE_INTERVAL_SECONDS = env.float(
    "MAINTENANCE_NOTICE_INTERVAL_SECONDS", default=120.0
)

# The one beat schedule of the portal.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "tenants.tasks.beat_heartbeat",
        "schedule": 60.0,
    },
    # Warnings and breaches of ticket SLA targets. A sweep catches up whatever came due since
    # the last one, so a sweep that waited in the queue past the next tick is dropped rather
    # than run late behind its successor.
    "sla-sweep": {
        "task": "tickets.tasks.sla_sweep",
        "schedule": SLA_SWEEP_INTERVAL_SECONDS,
        "options": {"expires": max(SLA_SWEEP_INTERVAL_SECONDS - 5, 1)},
    },
    # Mail that the on-commit task did not send (broker down, worker lost, retries due).
    "outbox-deliver": {
        "task": "outbox.tasks.outbox_deliver",
        "schedule": OUTBOX_DELIVER_INTERVAL_SECONDS,
        "options": {"expires": max(OUTBOX_DELIVER_INTERVAL_SECONDS - 5, 1)},
    },
    "outbox-prune": {
        "task": "outbox.tasks.outbox_prune",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 3600},
    },
    # Onboarding reminders go out once per day at 08:00 in each checklist's calendar time zone.
    # Beat runs in UTC and a crontab cannot follow several zones (or DST) at once, so it wakes
    # every hour on the hour and the service sends a step's reminder in the first run at or
    # after 08:00 local on a business day; a unique row per (step, local day) makes the other
    # runs of that day, a late run after an outage, or a second beat send nothing.
    "onboarding-reminders": {
        "task": "onboarding.tasks.onboarding_remind",
        "schedule": crontab(minute=0),
        "options": {"expires": 45 * 60},
    },
    # Maintenance notices (preliminary, start, completion) of used windows. A run catches up
    # whatever came due since the last one, so a run stuck in the queue past the next tick is
    # dropped.
    "maintenance-notices": {
        "task": "availability.tasks.maintenance_notices_send",
        "schedule": MAINTENANCE_NOTICE_INTERVAL_SECONDS,
        "options": {"expires": max(MAINTENANCE_NOTICE_INTERVAL_SECONDS - 5, 1)},
    },
    # Monthly SLA statements: hourly, because the first working day and 08:00 are local to each
    # SLA calendar; one row per organisation and month makes every other run send nothing.
    "sla-statements": {
        "task": "availability.tasks.sla_statements_send",
        "schedule": crontab(minute=10),
        "options": {"expires": 45 * 60},
    },
}
CELERY_BEAT_SCHEDULE["attachment-orphans"] = {
    # Files whose database row was rolled back; older than an hour, so never one being saved.
    "task": "tickets.tasks.attachment_orphans_remove",
    "schedule": crontab(minute=30),
    "options": {"expires": 45 * 60},
}
CELERY_BEAT_SCHEDULE["database-statistics"] = {
    # SQLite's planner statistics, which the reports' plans need (PostgreSQL keeps its own).
    "task": "reports.tasks.database_statistics",
    "schedule": crontab(hour=3, minute=47),
    "options": {"expires": 3600},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Logging --------------------------------------------------------------------------------
# Every line once, stamped in UTC whichever process writes it (lib/logs.py); refused requests
# (403, 404) without a traceback.
LOGGING = logging_config(env.str("LOG_LEVEL", default="INFO"))
# Celery's processes log through the same configuration rather than their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

# --- The REST API (/api/v1/) and webhooks ---------------------------------------------------------
# Keys only (Authorization: Bearer …): no sessions, hence no CSRF token and no second factor;
# JSON only, no browsable HTML API (the OpenAPI docs at /api/v1/docs/ serve people).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.KeyScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.KeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "api.parsers.FilesParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Support portal API",
    "DESCRIPTION": (
        "File and follow tickets from your own systems with the rules and messages of the "
        "portal's pages. Authenticate with an API key from your customer admin: "
        "`Authorization: Bearer sp_…`. Refusals are RFC 9457 problem details with a `code`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "TicketKindEnum": "tickets.models.Ticket.Kind",
        "TimelineKindEnum": "tickets.models.TicketEvent.Kind",
        "TargetKindEnum": "tickets.models.TicketTarget.Kind",
        "TenantKindEnum": "tenants.models.Tenant.Kind",
        "LevelEnum": "tenants.models.SupportLevel",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}
# Calls per key and minute; past that, 429 with Retry-After.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
# Requests with a wrong key per client address and minute before even a right one waits.
API_FAILED_AUTH_PER_MINUTE = env.int("API_FAILED_AUTH_PER_MINUTE", default=20)
# Largest JSON body (files go as multipart/form-data, within REQUEST_MAX_BYTES).
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=256 * 1024)
# How long a retry with the same Idempotency-Key gets the first answer again.
API_IDEMPOTENCY_KEEP_HOURS = env.int("API_IDEMPOTENCY_KEEP_HOURS", default=24)

# Webhooks: delivered by the worker like mail (api/webhooks/delivery.py).
WEBHOOK_DELIVER_ON_COMMIT = env.str("WEBHOOK_DELIVER_ON_COMMIT", default="task")
WEBHOOK_DELIVER_INTERVAL_SECONDS = env.float("WEBHOOK_DELIVER_INTERVAL_SECONDS", default=30.0)
WEBHOOK_BATCH_SIZE = env.int("WEBHOOK_BATCH_SIZE", default=20)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_LEASE_SECONDS = env.int("WEBHOOK_LEASE_SECONDS", default=120)
WEBHOOK_DELIVER_SECONDS = env.float("WEBHOOK_DELIVER_SECONDS", default=20.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=10)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=3600)
WEBHOOK_KEEP_DAYS = env.int("WEBHOOK_KEEP_DAYS", default=30)
# Also http:// and loopback addresses, for a local test receiver. Never in production.
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=False)
WEBHOOK_QUEUE = env.str("WEBHOOK_QUEUE", default="")
if WEBHOOK_QUEUE:
    CELERY_TASK_ROUTES["api.tasks.webhooks_*"] = {"queue": WEBHOOK_QUEUE}
CELERY_BEAT_SCHEDULE["webhooks-deliver"] = {
    # Whatever the on-commit task did not send (broker down, worker lost) and retries due.
    "task": "api.tasks.webhooks_deliver",
    "schedule": WEBHOOK_DELIVER_INTERVAL_SECONDS,
    "options": {"expires": max(WEBHOOK_DELIVER_INTERVAL_SECONDS - 5, 1)},
}
CELERY_BEAT_SCHEDULE["api-prune"] = {
    # Old deliveries, dispatched events and idempotency records.
    "task": "api.tasks.api_prune",
    "schedule": crontab(hour=3, minute=41),
    "options": {"expires": 3600},
}
