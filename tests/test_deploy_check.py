"""``manage.py check --deploy`` is clean with production settings taken from the environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Set for the browser tests in this process; a deployment never has it.
TEST_ONLY_VARIABLES = ("DJANGO_ALLOW_ASYNC_UNSAFE",)


def _manage(tmp_path, *args, unset=(), **env_changes):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "portal.example",
        "PORTAL_VAR_DIR": str(tmp_path),
        **env_changes,
    }
    for name in (*TEST_ONLY_VARIABLES, *unset):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_on_the_embedded_development_key(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", unset=["SECRET_KEY"])
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_production_serves_static_files_from_the_compressed_manifest(tmp_path):
    result = _manage(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])",
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip().splitlines()[-1]
        == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_production_cookies_are_secure_and_host_prefixed(tmp_path):
    result = _manage(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "True True __Host-sessionid __Host-csrftoken 31536000 True"
    )
