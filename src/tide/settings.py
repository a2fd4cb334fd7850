"""Tide's settings: one file, driven by environment variables.

Every default is the safe embedded mode (SQLite, files under ./var, email to a folder).
Production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, HTTPS=1 and an email backend;
docs/deploy.md lists them all.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env(name: str, default: str = "") -> str:
    """A setting from the environment, or from the file named by NAME_FILE (for secrets)."""
    if file_name := os.environ.get(f"{name}_FILE"):
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(env(name, str(default)))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(env("TIDE_HOME", str(Path.cwd())))
VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG")
# The test suite (pytest) gets fast hashing, an in-process cache and tasks that run at once.
TESTING = envbool("TIDE_TESTING", default="pytest" in sys.modules)


def _secret_key() -> str:
    """SECRET_KEY from the environment; in the embedded mode, one made once and kept in var/."""
    if key := env("SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL

INSTALLED_APPS = [
    "tide",  # project-wide templates, static files and operations commands
    "tide.association",
    "tide.accounts",
    "tide.mailing",
    "tide.billing",
    "tide.membership",
    "tide.directory",
    "tide.education",
    "tide.website",
    # Wagtail: pages, images, documents, search and the back office
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # background work
    "django_tasks",
    "django_tasks_db",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Anonymous visitors' pages are answered here, before sessions and users are loaded;
    # the middleware above still adds security headers and the CSRF cookie to them.
    "tide.lib.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tide.accounts.middleware.staff_session_expiry",
    "tide.accounts.middleware.staff_mfa_required",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "tide.urls"
WSGI_APPLICATION = "tide.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
            "builtins": ["tide.website.templatetags.fields"],  # {% field form.x %} everywhere
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tide.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE takes the write
    # lock at BEGIN, so two writers queue (up to the timeout) instead of failing with
    # "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------
# The page cache, rate limits and the cache version must be shared by every process (web
# workers and the task worker), so the embedded default is a folder, not process memory.
if redis_url := env("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 600)

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:settings"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "tide.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "tide.accounts.forms.SignupNameForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if envbool("HTTPS") else "http"
# At most 10 failed logins per 15 minutes per account and per IP; the lock lifts by itself.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/15m/ip,10/15m/key",
    "login": "30/m/ip",
    "signup": "10/m/ip",
    "reset_password": "10/m/ip,3/m/key",  # nosec B105
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or not envbool("HTTPS")
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "Tide")
MFA_TOTP_TOLERANCE = 1  # accept the previous and next 30-second code too (RFC 6238 §5.2)
# Staff sessions: at most 12 hours, and 30 minutes idle (tide.accounts.middleware).
STAFF_SESSION_MAX_AGE = 12 * 3600
STAFF_SESSION_IDLE = 30 * 60
STAFF_MFA_REQUIRED = envbool("STAFF_MFA_REQUIRED", True)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Security ---------------------------------------------------------------------------
HTTPS = envbool("HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY") else None
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 14 * 24 * 3600
# Nothing of Tide's is shown in a frame; Wagtail's preview views allow SAMEORIGIN themselves.
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    # The back office is Wagtail's own and keeps its own inline scripts and styles.
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

# --- Email ------------------------------------------------------------------------------
# Embedded mode writes every message to var/mail/, where staff can read it (Settings →
# Sent email in the back office). Production sets EMAIL_HOST (SMTP) or an anymail backend.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Tide <no-reply@tide.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Marketing email (tide.mailing; docs/mailing.md). Providers post bounces and complaints to
# /email/webhooks/<provider>/tracking/ with HTTP basic auth "user:password" (the secret
# below); without a secret the webhooks answer 404.
ANYMAIL = {"WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET")}
MAILING_IMPLIED_CONSENT_DAYS = envint("MAILING_IMPLIED_CONSENT_DAYS", 730)  # CASL: two years
MAILING_CONFIRM_DAYS = envint("MAILING_CONFIRM_DAYS", 7)  # a sign-up's confirmation link
MAILING_UNCONFIRMED_PURGE_DAYS = 30  # unconfirmed sign-ups are deleted after this
MAILING_UNSUBSCRIBE_LINK_DAYS = envint("MAILING_UNSUBSCRIBE_LINK_DAYS", 400)
MAILING_SEND_RATE = envint("MAILING_SEND_RATE", 20)  # messages per second per worker; 0: no limit
MAILING_BATCH_SIZE = envint("MAILING_BATCH_SIZE", 200)
MAILING_SMTP_CONNECTIONS = envint("MAILING_SMTP_CONNECTIONS", 8)  # per sending worker
# A worker renews its claim on a batch as it sends; a dead worker's batch is taken over after this.
MAILING_CLAIM_LEASE_SECONDS = envint("MAILING_CLAIM_LEASE_SECONDS", 120)
MAILING_SOFT_BOUNCE_LIMIT = envint("MAILING_SOFT_BOUNCE_LIMIT", 3)  # soft bounces in a row

# --- Payments ---------------------------------------------------------------------------
# Card payments through Stripe Checkout; without a secret key the card option is hidden and
# members pay by e-Transfer or cheque (the embedded default). docs/billing.md has the setup.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env("STRIPE_API_BASE")  # empty: Stripe's own; the tests use a local stand-in
if STRIPE_SECRET_KEY:
    # The "Pay by card" form redirects to Stripe's hosted page.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append("https://checkout.stripe.com")

# --- Background work --------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
if TESTING:
    TASKS["default"]["BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en-ca"
LANGUAGES = [("en-ca", _("English")), ("fr-ca", _("French"))]
WAGTAIL_I18N_ENABLED = False
TIME_ZONE = env("TIME_ZONE", "America/Toronto")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [SRC_DIR / "locale"]

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise looks for it at start-up
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "tide.lib.staticfiles.StaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the apps while developing or testing; production runs collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or TESTING or envbool("WHITENOISE_USE_FINDERS")
WHITENOISE_AUTOREFRESH = DEBUG

# --- Wagtail ----------------------------------------------------------------------------
WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", "Tide")
WAGTAILIMAGES_IMAGE_MODEL = "website.CustomImage"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILEMBEDS_FINDERS = []  # no network at run time
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party avatars
WAGTAILDOCS_SERVE_METHOD = "serve_view"  # documents never get a guessable public URL
# Documents staff may upload (the ebook, forms, reports): office files, never HTML or scripts.
WAGTAILDOCS_EXTENSIONS = [
    "pdf",
    "epub",
    "docx",
    "doc",
    "odt",
    "xlsx",
    "xls",
    "ods",
    "pptx",
    "csv",
    "txt",
]

# --- Find an RMT -----------------------------------------------------------------------
# The map tile server for the directory's map, like https://tile.openstreetmap.org/{z}/{x}/{y}.png
# (check its usage policy). Empty: no map, and no third-party requests.
DIRECTORY_MAP_TILE_URL = env("DIRECTORY_MAP_TILE_URL")
if DIRECTORY_MAP_TILE_URL:  # only then may pages load images from the tile server
    from urllib.parse import urlsplit

    _tiles = urlsplit(DIRECTORY_MAP_TILE_URL.replace("{s}.", "*."))
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "wagtail": {"level": "WARNING"},
        "stripe": {"level": "WARNING"},  # not a line per API request
    },
}
