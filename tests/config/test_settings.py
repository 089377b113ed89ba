import json
import os
import subprocess
import sys
from pathlib import Path


def _settings_of(home: Path, **env: str) -> dict:
    """Import the settings in a fresh interpreter with the given environment."""
    script = (
        "import json; from voxloop.config import settings as s;"
        "print(json.dumps({'key': s.SECRET_KEY, 'debug': s.DEBUG, 'db': s.DATABASES['default'],"
        "'tasks': s.TASKS['default']['BACKEND'], 'hosts': s.ALLOWED_HOSTS}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VOXLOOP_", "DATABASE"))}
    clean.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**clean, "VOXLOOP_HOME": str(home), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = _settings_of(tmp_path)
    second = _settings_of(tmp_path)
    assert len(first["key"]) > 40
    assert first["key"] == second["key"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_safe_defaults(tmp_path):
    values = _settings_of(tmp_path)
    assert values["debug"] is False
    assert values["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["db"]["NAME"] == str(tmp_path / "voxloop.sqlite3")
    assert values["tasks"] == "django_tasks_db.DatabaseBackend"
    assert "*" not in values["hosts"]


def test_environment_overrides(tmp_path):
    values = _settings_of(
        tmp_path,
        VOXLOOP_SECRET_KEY="given-key",
        DATABASE_URL="postgres://u@db.example:5432/vox",
        REDIS_URL="redis://127.0.0.1:6379/3",
        VOXLOOP_DEBUG="1",
    )
    assert values["key"] == "given-key"
    assert values["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert values["tasks"] == "django_tasks_rq.RQBackend"
    assert values["debug"] is True


def test_sqlite_database_file_runs_in_wal_mode(tmp_path):
    script = (
        "import django; django.setup(); from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VOXLOOP_", "DATABASE"))}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **clean,
            "VOXLOOP_HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "voxloop.config.settings",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "wal"
    assert (tmp_path / "voxloop.sqlite3").exists()


def test_passwords_hash_with_argon2_by_default():
    from voxloop.config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
