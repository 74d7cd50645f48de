"""Django settings for the Media Engine.

Everything a deployment may change comes from ``MEDIA_ENGINE_*`` environment variables (see the
README's configuration table) and is gathered in the ``MEDIA_ENGINE`` dictionary, which the
engine's code reads at call time so tests can override it. No secret lives in this file.
"""

import warnings
from pathlib import Path

import dj_database_url
import orjson

from engine import environment as env

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.data_dir()

DEBUG = env.flag("DEBUG", False)
SECRET_KEY = env.secret_key(DATA_DIR)
ALLOWED_HOSTS = env.items("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
REDIS_URL = env.text("REDIS_URL") or None

MEDIA_ENGINE = {
    "DATA_DIR": DATA_DIR,
    "LOCALHOST_BYPASS": env.flag("LOCALHOST_BYPASS", True),
    "TRUSTED_PROXIES": env.items("TRUSTED_PROXIES"),
    "ALLOWED_ORIGINS": env.items("ALLOWED_ORIGINS"),
    "HOST": env.text("HOST", "127.0.0.1"),
    "PORT": env.integer("PORT", 8000),
    "WORKERS": env.integer("WORKERS", 1),
    "RATE_KEYGEN": env.text("RATE_KEYGEN", "5/m"),
    "RATE_STREAM": env.text("RATE_STREAM", "100/m"),
    "RATE_GENERAL": env.text("RATE_GENERAL", "60/m"),
    # Invocations one hub connection may make, as a bucket that refills at this pace.
    "HUB_INVOCATION_RATE": env.text("HUB_INVOCATION_RATE", "50/10s"),
    # The largest request body read (JSON routes and the admin's forms); larger ones get 413
    # before any of it is stored, chunked ones are cut there.
    "MAX_BODY_BYTES": env.integer("MAX_BODY_BYTES", 1024 * 1024),
    # Seconds a client may take to send a request's head, or pause while sending its body.
    "CLIENT_TIMEOUT": env.integer("CLIENT_TIMEOUT", 10),
    # Seconds an idle kept-alive connection stays open after a response.
    "KEEPALIVE_TIMEOUT": env.integer("KEEPALIVE_TIMEOUT", 5),
    # Open connections (HTTP and hub sockets) one server process serves; past it, 503.
    "MAX_CONNECTIONS": env.integer("MAX_CONNECTIONS", 1000),
    "REDIS_URL": REDIS_URL,
    # Background tasks: "inprocess" runs them in a thread of `manage.py serve` (the embedded
    # default); "external" leaves them to separate `manage.py db_worker` processes.
    "TASK_WORKER": env.text("TASK_WORKER", "inprocess").lower(),
    # A running scan beats every quarter of this many seconds; one silent for longer is taken to
    # have lost its worker (killed, host gone) and is re-queued by any serving process.
    "SCAN_STALE_AFTER": env.integer("SCAN_STALE_AFTER", 120),
    # Seconds between the background writes of keys' last use (security/key_use.py); requests
    # never write it themselves.
    "KEY_USE_FLUSH": env.integer("KEY_USE_FLUSH", 30),
    # ffprobe reads video containers during scans: "" finds it on PATH, "off" reads them with
    # mutagen only (no Matroska), anything else is the program's path. Seconds per file.
    "FFPROBE": env.text("FFPROBE", ""),
    "FFPROBE_TIMEOUT": env.integer("FFPROBE_TIMEOUT", 30),
    # Files are sniffed, hashed and parsed in a pool of sandboxed worker processes (0: one per
    # core). Parsing a file may take this much CPU time and wall time (hashing it, as much again
    # plus an allowance for its size) in a worker limited to this much address space (MiB); a
    # file that needs more is marked failed.
    "SCAN_WORKERS": env.integer("SCAN_WORKERS", 0),
    "SCAN_CPU_LIMIT": env.integer("SCAN_CPU_LIMIT", 5),
    "SCAN_FILE_TIMEOUT": env.integer("SCAN_FILE_TIMEOUT", 5),
    "SCAN_MEMORY_LIMIT": env.integer("SCAN_MEMORY_LIMIT", 192),
    # Library folders are watched for changes; a full rescan of each runs this often anyway (and is
    # what finds changes where watching is off or impossible). 0 turns periodic rescans off.
    "WATCH": env.flag("WATCH", True),
    "SCAN_INTERVAL": env.integer("SCAN_INTERVAL", 3600),
    # "nginx": the engine checks the caller and the file, nginx sends the bytes (X-Accel-Redirect).
    "STREAM_OFFLOAD": env.text("STREAM_OFFLOAD", "").lower(),
    "STREAM_OFFLOAD_PREFIX": env.text("STREAM_OFFLOAD_PREFIX", "/_protected").rstrip("/"),
    # Metadata providers: base URLs are settings so a deployment (or a test) can point elsewhere.
    "TMDB_URL": env.text("TMDB_URL", "https://api.themoviedb.org/3"),
    "MUSICBRAINZ_URL": env.text("MUSICBRAINZ_URL", "https://musicbrainz.org/ws/2"),
    "MUSICBRAINZ_CONTACT": env.text("MUSICBRAINZ_CONTACT", "https://github.com/media-engine/media-engine"),
    # Secret store: the master key itself (MEDIA_ENGINE_MASTER_KEY) is read from the environment
    # when needed and never copied into settings, where debug pages and diffsettings could show it.
    "MASTER_KEY_FILE": env.text("MASTER_KEY_FILE") or None,
    "ALLOW_KEYFILE": env.flag("ALLOW_KEYFILE", False),
    "EMBEDDED_DATABASE": not env.text("DATABASE_URL"),
}
#: Django's own body limit is the engine's: a request that reaches Django without passing the
#: body gate (the test suite's in-process client) meets the same limit and the same 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = MEDIA_ENGINE["MAX_BODY_BYTES"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_ratelimit",
    "django_tasks",
    "django_tasks_db",
    "engine",
    "security",
    "library",
    "intercom",
]

MIDDLEWARE = [
    # The OpenSubsonic API's and KOReader's progress sync's refusals in their protocols' own
    # shapes (named by dotted path: engine/ imports no app); first, so that they see the rate
    # limit's and the principal's refusals. Each acts on its own paths only.
    "library.subsonic.errors.SubsonicErrorMiddleware",
    "library.kosync.errors.KosyncErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "security.ratelimit.RateLimitMiddleware",
    "security.middleware.PrincipalMiddleware",
    "engine.errors.DomainErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "engine.urls"
ASGI_APPLICATION = "engine.asgi.application"
#: What engine/asgi.py serves WebSocket upgrades with: the Intercom hub's router.
WEBSOCKET_APPLICATION = "intercom.routing.websocket_application"
#: What engine/asgi.py puts in front of Django for HTTP: judges a request's body before reading it.
HTTP_GATE = "security.gate.BodyGate"
APPEND_SLASH = False

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
            ],
        },
    },
]

_database_url = env.text("DATABASE_URL")
if _database_url:
    # No persistent connections: under ASGI each request's sync code may run on a new thread,
    # and a connection kept per thread would outlive it.
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=0)}
    # Instead, each process keeps a psycopg pool (PostgreSQL only): a request borrows a
    # connection and gives it back when it ends. MEDIA_ENGINE_DATABASE_POOL=0 turns it off.
    _pool_size = env.integer("DATABASE_POOL", 10)
    if _pool_size > 0 and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": _pool_size, "timeout": 10}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "engine.sqlite3",
            # Kept open: requests run on a few long-lived threads (engine/handler.py), each
            # reusing its connection instead of opening the file and its pragmas every request.
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # WAL lets readers proceed while a scan writes; IMMEDIATE transactions take the
                # write lock up front, so concurrent writers wait (timeout) instead of failing
                # with "database is locked" half-way through a transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                # Seconds a writer waits for the lock before the request is answered 503.
                "timeout": env.integer("DATABASE_TIMEOUT", 20),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # The layer receives with a blocking pop that waits longer than redis-py 8's default 5 s read
    # timeout whenever the hub is idle; that timeout would tear every idle connection down.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "intercom.layers.InProcessChannelLayer"}}

# django-ratelimit calls local memory "not a shared cache" (E003): true, and harmless while one
# process serves every request, which is the embedded default; security/checks.py refuses to
# start several workers with it. Its W001 ("not officially supported") predates Django's own
# RedisCache, whose add (SET NX) and incr (INCRBY) are atomic across processes.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL and MEDIA_ENGINE["WORKERS"] <= 1:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

# Scans and provider look-ups have queues (and workers) of their own, so neither waits for the
# other; "default" holds the short provider probes and re-resolutions.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["scans", "lookups", "default"]}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# The admin's static files are served straight from the installed apps, so `make run` needs no
# collectstatic step and a fresh clone shows a styled admin.
WHITENOISE_USE_FINDERS = True
# WhiteNoise serves the admin's small static files with a synchronous iterator, which Django's
# ASGI handler reports on every file; media streams use an async iterator and are unaffected.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "engine.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's cookie message storage would put anything in a message into a cookie; the engine
# never puts a key in a message, and keeps messages server-side all the same.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["security.authentication.ApiKeyAuthentication"],
    # Deny by default: a view that names no permission is for Administrators only.
    "DEFAULT_PERMISSION_CLASSES": ["security.permissions.IsAdministrator"],
    "DEFAULT_PARSER_CLASSES": ["engine.api.JSONParser"],
    # orjson: the list of fifty works renders in a thirtieth of the time the standard library takes.
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    # Datetimes as DRF writes them (``Z`` for UTC); dictionary keys that are not strings (DRF's
    # per-item errors of a list field) written as strings, as the json module does.
    "ORJSON_RENDERER_OPTIONS": [orjson.OPT_UTC_Z, orjson.OPT_NON_STR_KEYS],
    "DEFAULT_PAGINATION_CLASS": "engine.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "engine.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "PAGE_SIZE": 50,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Media Engine API",
    "VERSION": __import__("engine").__version__,
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes every route, so it is for Administrators like the rest of the admin.
    "SERVE_PERMISSIONS": ["security.permissions.IsAdministrator"],
    "SECURITY": [{"ApiKeyAuth": []}],
    # The docs UI's scripts come from drf-spectacular-sidecar through WhiteNoise: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StreamTypeEnum": "library.ingestion.streams.TYPES",
        "AssetRoleEnum": "library.models.works.AssetRole",
        "RoleEnum": "security.roles.Role",
        # Two choice sets share the field name "kind": a work's kind and what a star or rating is about.
        "WorkKindEnum": "library.models.works.WorkKind",
        "ItemKindEnum": "library.models.state.ItemKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "security.schema.add_plain_views",
        "library.subsonic.schema.document_api",
        "library.opds.schema.document_catalog",
        "library.kosync.schema.document_sync",
        "security.schema.document_errors",
    ],
}

LOG_LEVEL = env.text("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "security.redaction.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        **{
            name: {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}
            for name in ("django", "uvicorn", "uvicorn.access")
        },
        # httpx logs every request URL at INFO, and TMDB's v3 key travels in the query string: a
        # filter on the logger itself rewrites the record before any handler, not only the console.
        "httpx": {"filters": ["redact"]},
    },
}
