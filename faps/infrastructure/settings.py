"""Settings: the only module that reads the environment (variables prefixed FAPS_)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

SETTING_ERROR = "faps_setting"  # error type whose message is French, for the user


class Settings(BaseSettings):
    """Every setting of faps; each is the environment variable FAPS_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="FAPS_", extra="ignore")

    instance_path: Path = Path("instance")
    database_url: str = ""
    documents_path: Path | None = None
    secret_key: str = ""
    max_upload_mb: int = Field(default=10, gt=0, le=200)
    session_lifetime_minutes: int = Field(default=60, gt=0)
    login_max_failures: int = Field(default=5, gt=0)
    login_lockout_minutes: int = Field(default=15, gt=0)  # the longest wait between tries
    # Session cookie `Secure` and HSTS: None follows FAPS_PUBLIC_URL (on when it is https).
    cookie_secure: bool | None = None
    hsts_seconds: int | None = Field(default=None, ge=0, le=63_072_000)
    # Reverse proxies in front of faps whose X-Forwarded-For/-Proto are trusted (0: none).
    proxy_hops: int = Field(default=0, ge=0, le=5)
    mail_backend: str = "console"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "faps@agglo.invalid"
    mail_send_on_save: bool = False  # SMTP: send right after each save (else `faps mail send`)
    public_url: str = "http://127.0.0.1:5000"
    agglomeration_name: str = "Communauté d’agglomération Paris - Vallée de la Marne"
    agglomeration_siren: str = "200057958"
    agglomeration_siret: str = ""
    commune_sirets: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    # The footer pages (mentions légales, accessibilité, données personnelles, aide et contact).
    legal_director: str = "Le président de la communauté d’agglomération"
    legal_address: str = ("Hôtel d’agglomération, 5 cours de l’Arche Guibert, 77200 Torcy")
    legal_host: str = "Serveurs de la communauté d’agglomération, à l’adresse ci-dessus"
    contact_email: str = ""
    contact_phone: str = ""
    contact_hours: str = "du lundi au vendredi, de 9 h à 12 h et de 14 h à 17 h"
    dpo_contact: str = ""
    data_retention: str = ("dossiers, pièces et historique\u202f: 10 ans après la clôture du "
                           "dossier (durée d’utilité administrative des pièces comptables), puis "
                           "versement aux archives publiques ou destruction\u202f; comptes "
                           "désactivés\u202f: 1 an après leur désactivation")
    accessibility_status: str = "partiellement conforme"
    accessibility_audit: str = (
        "contrôle automatisé (axe-core 4.12, règles WCAG 2.1 A et AA) de chaque page de chaque "
        "rôle, à 320 et à 1\u202f280 pixels de large\u202f: aucune non-conformité détectée\u202f; "
        "navigation au clavier vérifiée sur les parcours principaux. Aucun audit manuel complet "
        "des 106 critères du RGAA n’a encore été réalisé")
    accessibility_audit_date: str = "6 décembre 2026"
    projections_autorebuild: bool = True
    # The anchored chain: the Ed25519 key file (outside the database; `faps audit keygen`) and
    # the append-only file of signed checkpoints (default: instance/audit-checkpoints.jsonl).
    # Background jobs (the audit log's download): how long a file is kept, and whether the
    # serving process runs them in a thread (else only `faps jobs run` does).
    jobs_keep_hours: int = Field(default=72, gt=0, le=24 * 90)
    jobs_in_web: bool = True
    audit_signing_key: Path | None = None
    audit_checkpoints: Path | None = None
    # Processes of a rebuild of a large log (0: one per core, at most 4; 1: no split).
    projections_rebuild_workers: int = Field(default=0, ge=0, le=32)
    # Webhooks: https only unless allowed; private, loopback and link-local hosts refused
    # unless listed (comma-separated host names or addresses, e.g. "127.0.0.1").
    webhooks_allow_http: bool = False
    webhooks_allowed_hosts: str = ""
    webhooks_workers: int = Field(default=4, ge=1, le=32)  # dossiers delivered at once
    api_rate_limit: int = Field(default=600, gt=0)  # API calls a minute per token or account

    @field_validator("audit_signing_key", "audit_checkpoints", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        """Read an empty path (FAPS_AUDIT_SIGNING_KEY=) as no path, not as the current folder."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("commune_sirets", mode="before")
    @classmethod
    def _json_object(cls, value: Any) -> Any:
        """Read a JSON object given as text (environment, faps.env), refusing it in French.

        Left to pydantic-settings, text that is not JSON escapes validation as a bare error.
        """
        if not isinstance(value, str):
            return value
        try:
            loaded = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError:
            loaded = None
        if not isinstance(loaded, dict):
            raise PydanticCustomError(SETTING_ERROR, "objet JSON attendu, code INSEE → SIRET, "
                                      'par exemple {"77258": "21770258900011"}')
        return loaded

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Let a setting of the environment replace the file's whole (pydantic merges dicts)."""
        return (init_settings, env_settings, _Shadowed(dotenv_settings, env_settings),
                file_secret_settings)

    def https(self) -> bool:
        """Tell whether the public address is https."""
        return self.public_url.lower().startswith("https://")

    def resolved_cookie_secure(self) -> bool:
        """Return whether cookies are sent over https only."""
        return self.https() if self.cookie_secure is None else self.cookie_secure

    def resolved_hsts_seconds(self) -> int:
        """Return the Strict-Transport-Security max-age (0: no header)."""
        if self.hsts_seconds is not None:
            return self.hsts_seconds
        return 31_536_000 if self.https() else 0

    def resolved_database_url(self) -> str:
        """Return the database URL; the default is an SQLite file in the instance folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.instance_path / 'faps.sqlite3').resolve()}"

    def resolved_audit_checkpoints(self) -> Path:
        """Return the file of the chain's signed checkpoints."""
        return self.audit_checkpoints or self.instance_path / "audit-checkpoints.jsonl"

    def resolved_documents_path(self) -> Path:
        """Return the folder of the document store."""
        return self.documents_path or self.instance_path / "documents"

    def resolved_secret_key(self) -> str:
        """Return the secret key; without a setting, one kept in the instance folder."""
        if self.secret_key:
            return self.secret_key
        path = self.instance_path / "secret_key"
        if not path.exists():
            self.instance_path.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()


SETTINGS_FILE = "faps.env"


class _Shadowed(PydanticBaseSettingsSource):
    """A source whose settings also given by a stronger source are left out, not merged."""

    def __init__(self, source: PydanticBaseSettingsSource,
                 stronger: PydanticBaseSettingsSource) -> None:
        super().__init__(source.settings_cls)
        self.source, self.stronger = source, stronger

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        """Answer field by field as the shadowed source does."""
        return self.source.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        stronger = self.stronger()
        return {k: v for k, v in self.source().items() if k not in stronger}


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment, then from `<instance>/faps.env` (environment wins).

    The instance folder is FAPS_INSTANCE_PATH (default `instance`); `faps demo` writes its
    example values (SIRETs marked as examples) into that file.
    """
    instance = Path(str(overrides.get("instance_path") or os.environ.get("FAPS_INSTANCE_PATH")
                        or "instance"))
    env_file = instance / SETTINGS_FILE
    settings = Settings(_env_file=env_file if env_file.exists() else None,  # type: ignore[call-arg]
                        **overrides)
    return settings
