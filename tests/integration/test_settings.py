"""Settings: the environment wins over the instance's faps.env, setting by setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from faps.infrastructure.settings import SETTINGS_FILE, load_settings


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An instance folder whose faps.env names two town-hall SIRETs and an SMTP host."""
    (tmp_path / SETTINGS_FILE).write_text(
        'FAPS_COMMUNE_SIRETS={"77258": "21770258700019", "77108": "21770108400015"}\n'
        "FAPS_SMTP_HOST=smtp.fichier.test\n", encoding="utf-8")
    monkeypatch.setenv("FAPS_INSTANCE_PATH", str(tmp_path))
    for name in ("FAPS_COMMUNE_SIRETS", "FAPS_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_the_instance_file_gives_what_the_environment_does_not(instance: Path):
    settings = load_settings()
    assert settings.commune_sirets == {"77258": "21770258700019", "77108": "21770108400015"}
    assert settings.smtp_host == "smtp.fichier.test"


def test_an_environment_dictionary_replaces_the_files_instead_of_merging(
        instance: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FAPS_COMMUNE_SIRETS", '{"77258": "21770258700027"}')
    settings = load_settings()
    assert settings.commune_sirets == {"77258": "21770258700027"}
    assert settings.smtp_host == "smtp.fichier.test"  # the other settings still come from the file


def test_an_empty_environment_dictionary_clears_the_files(
        instance: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FAPS_COMMUNE_SIRETS", "{}")
    assert load_settings().commune_sirets == {}
