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
    login_lockout_minutes: int = Field(default=15, gt=0)
    mail_backend: str = "console"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "faps@agglo.invalid"
    mail_send_on_save: bool = False  # SMTP: send right after each save (else `faps mail send`)
    public_url: str = "http://127.0.0.1:5000"
    agglomeration_name: str = "Communauté d'agglomération Paris - Vallée de la Marne"
    agglomeration_siren: str = "200057958"
    agglomeration_siret: str = ""
    commune_sirets: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    projections_autorebuild: bool = True
    # Processes of a rebuild of a large log (0: one per core, at most 4; 1: no split).
    projections_rebuild_workers: int = Field(default=0, ge=0, le=32)
    # Webhooks: https only unless allowed; private, loopback and link-local hosts refused
    # unless listed (comma-separated host names or addresses, e.g. "127.0.0.1").
    webhooks_allow_http: bool = False
    webhooks_allowed_hosts: str = ""
    api_rate_limit: int = Field(default=600, gt=0)  # API calls a minute per token or account

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

    def resolved_database_url(self) -> str:
        """Return the database URL; the default is an SQLite file in the instance folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.instance_path / 'faps.sqlite3').resolve()}"

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
