"""Configuration: one frozen `Settings` model read from `OUTGUARD_*` variables.

There is no module-level instance. The composition roots (`web/app.py`, `cli/app.py`,
`worker/main.py`) call `load_settings()`; tests build `Settings(...)` directly.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class InsecureSettingsError(ValueError):
    """Raised at start-up when a production configuration is unsafe."""


class _Group(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DatabaseSettings(_Group):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Empty: SQLite file `outguard.db` in the home folder. "
        "PostgreSQL: `postgresql+psycopg://user:pass@host/db`.",
    )
    echo: bool = Field(
        default=False, description="Log every SQL statement (debug only)."
    )


class AuthSettings(_Group):
    argon2_time_cost: int = Field(default=3, ge=1, description="argon2id iterations.")
    argon2_memory_kib: int = Field(
        default=65536, ge=8, description="argon2id memory cost in KiB."
    )
    argon2_parallelism: int = Field(default=2, ge=1, description="argon2id lanes.")
    session_idle_minutes: int = Field(
        default=30,
        ge=1,
        description="A session ends after this long without a request.",
    )
    session_absolute_hours: int = Field(
        default=12,
        ge=1,
        description="A session ends this long after sign-in, whatever happens.",
    )
    login_window_minutes: int = Field(
        default=15, ge=1, description="Window over which failed sign-ins are counted."
    )
    login_max_failures_per_account: int = Field(
        default=5,
        ge=1,
        description="Failures on one account in the window before it locks.",
    )
    login_max_failures_per_ip: int = Field(
        default=20,
        ge=1,
        description="Failures from one address in the window before it is throttled.",
    )
    lockout_minutes: int = Field(
        default=15, ge=1, description="How long a locked account stays locked."
    )
    invite_ttl_hours: int = Field(
        default=72, ge=1, description="How long an invitation link works."
    )
    api_token_max_days: int = Field(
        default=365, ge=1, description="Longest lifetime of a personal API token."
    )
    mfa_issuer: str = Field(
        default="outguard", description="Issuer name shown in authenticator apps."
    )


class WebSettings(_Group):
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public URL of the instance; used in e-mailed links and to decide Secure cookies.",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest request body accepted outside file uploads.",
    )
    trust_proxy_headers: bool = Field(
        default=False,
        description="Take the client address from X-Forwarded-For (behind a trusted proxy only).",
    )


class MailSettings(_Group):
    backend: Literal["smtp", "outbox", "null"] = Field(
        default="outbox",
        description="`smtp` sends through the server below; `outbox` writes .eml files to the home "
        "folder (development); `null` drops them.",
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server host.")
    smtp_port: int = Field(default=25, description="SMTP server port.")
    smtp_username: str | None = Field(
        default=None, description="SMTP user, if the server wants one."
    )
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(
        default=False, description="Upgrade the connection with STARTTLS."
    )
    smtp_timeout_seconds: float = Field(
        default=10.0, description="SMTP connect/send timeout."
    )
    from_address: str = Field(
        default="outguard@localhost", description="Sender address."
    )


class JobSettings(_Group):
    run_in_process: bool = Field(
        default=True,
        description="Run a job worker thread inside `outguard serve` (embedded setup).",
    )
    poll_interval_seconds: float = Field(
        default=1.0, gt=0, description="Idle worker poll interval."
    )
    max_attempts: int = Field(
        default=5, ge=1, description="Attempts before a job is marked dead."
    )
    backoff_base_seconds: float = Field(
        default=2.0, gt=0, description="First retry delay; doubles each attempt."
    )
    backoff_max_seconds: float = Field(
        default=600.0, gt=0, description="Longest retry delay."
    )
    lease_seconds: int = Field(
        default=300,
        ge=5,
        description="A running job not finished in this time is reclaimed.",
    )
    reminders: bool = Field(
        default=True,
        description="The worker sends the day's engagement reminder e-mails once a day "
        "(off: run `outguard engagement remind` from cron instead).",
    )
    expire_shares: bool = Field(
        default=True,
        description="The worker shreds the copies of expired shares once a day, with "
        "destruction certificates (access already ends at the end date).",
    )
    reminders_hour_utc: int = Field(
        default=6,
        ge=0,
        le=23,
        description="Hour (UTC) from which the day's reminders go out; a worker started "
        "later that day sends them at once.",
    )


class StorageSettings(_Group):
    backend: Literal["local", "memory"] = Field(
        default="local",
        description="Blob store: `local` folder, or `memory` (tests only).",
    )
    path: Path | None = Field(
        default=None, description="Folder for `local`; default: `<home>/blobs`."
    )


class CryptoSettings(_Group):
    key_provider: Literal["file", "env", "static-test"] = Field(
        default="file",
        description="Where the root key lives: `file` (`<home>/keys/root.key`, created by "
        "`outguard init`), `env` (`OUTGUARD_CRYPTO__ROOT_KEY`), or `static-test` (tests only).",
    )
    root_key: SecretStr | None = Field(
        default=None,
        description="Base64 of the 32-byte root key, for `key_provider=env`.",
    )
    rewrap_batch: int = Field(
        default=500,
        ge=1,
        description="Data keys rewrapped per transaction during rotation.",
    )


class DatasetSettings(_Group):
    max_upload_mb: int = Field(
        default=200,
        ge=1,
        le=4096,
        description="Largest dataset file accepted (MB). A scan holds one file in memory, "
        "decrypted: size the worker's memory for it.",
    )
    agent_pages_per_minute: int = Field(
        default=60,
        ge=1,
        description="Viewer pages one agent may open per minute (against scraping).",
    )
    agent_downloads_per_hour: int = Field(
        default=20,
        ge=1,
        description="Downloads of their copies one agent may make per hour.",
    )


class AuditSettings(_Group):
    checkpoint_every_events: int = Field(
        default=1000,
        ge=1,
        description="Sign an audit checkpoint once this many events were appended since the last.",
    )
    checkpoint_every_seconds: float = Field(
        default=300.0,
        gt=0,
        description="...or once this many seconds passed with at least one new event (and at shutdown).",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="OUTGUARD_",
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
    )

    environment: Environment = Field(
        default=Environment.DEVELOPMENT, description="development, test or production."
    )
    home: Path = Field(
        default=Path(".outguard"), description="Instance folder: database, blobs, keys."
    )
    debug: bool = Field(
        default=False, description="Show tracebacks (never in production)."
    )
    demo: bool = Field(
        default=False,
        description="Demo mode: allows `outguard demo totp` to print demo users' codes. Refused in production.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Application secret (HMAC of session and API tokens). Empty: read from "
        "`<home>/keys/app.key`, which `outguard init` creates.",
    )
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    crypto: CryptoSettings = Field(default_factory=CryptoSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    datasets: DatasetSettings = Field(default_factory=DatasetSettings)

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            problems = production_problems(self)
            if problems:
                raise InsecureSettingsError(
                    "refusing insecure production settings: " + "; ".join(problems)
                )
        return self

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.home / 'outguard.db').resolve()}"

    @property
    def blob_path(self) -> Path:
        return self.storage.path or self.home / "blobs"

    @property
    def keys_path(self) -> Path:
        return self.home / "keys"

    @property
    def is_https(self) -> bool:
        return self.web.base_url.startswith("https://")


MIN_SECRET_CHARS = 32
OWASP_ARGON2_MIN_KIB = 19456
OWASP_ARGON2_MIN_ITERATIONS = 2


def production_problems(settings: Settings) -> list[str]:
    """Every reason these settings are unsafe for production (empty: fine)."""
    url = settings.database.url or ""
    checks = [
        (settings.debug, "debug must be off"),
        (settings.demo, "demo mode must be off"),
        (
            not settings.web.base_url.startswith("https://"),
            "web.base_url must be https://",
        ),
        (
            ":memory:" in url or url.rstrip("/") in {"sqlite:", "sqlite://"},
            "an in-memory database loses everything",
        ),
        (
            settings.storage.backend == "memory",
            "storage.backend=memory loses every file",
        ),
        (settings.mail.backend != "smtp", "mail.backend must be smtp"),
        (
            settings.crypto.key_provider == "static-test",
            "crypto.key_provider=static-test uses a published key",
        ),
        (
            settings.secret_key is not None
            and len(settings.secret_key.get_secret_value()) < MIN_SECRET_CHARS,
            "secret_key must be at least 32 characters",
        ),
        (
            settings.auth.argon2_memory_kib < OWASP_ARGON2_MIN_KIB
            or settings.auth.argon2_time_cost < OWASP_ARGON2_MIN_ITERATIONS,
            "argon2 cost is below the OWASP minimum (19 MiB, 2 iterations)",
        ),
    ]
    return [message for failed, message in checks if failed]


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment. Only composition roots call this."""
    return Settings(**overrides)  # type: ignore[arg-type]


def environment_variable(name: str) -> str | None:
    """The one sanctioned read of a raw environment variable (e.g. the e2e browser path)."""
    return os.environ.get(name)
