"""Production settings: strict by default, clear start-up errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    scrub = {"SECRET_KEY", "SECRETS_ENCRYPTION_KEYS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in scrub}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_without_secret_key_is_a_clear_error():
    result = _manage("check", DJANGO_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY is missing" in result.stderr


def test_production_check_deploy_reports_nothing():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        DJANGO_ENV="production",
        SECRET_KEY="k" * 20 + "-Zq8#rT5!vW2@pL9$mN4^bX7&cJ1*hF3(",
        SECRETS_ENCRYPTION_KEYS="sb0Y1mHnYQ3qYx3m0bH1m2cO8sK4Hh2Z3c4g5m6n7o8=",
        ALLOWED_HOSTS="agenthub.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_secrets_encryption_keys_refuses_to_start():
    result = _manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY="k" * 20 + "-Zq8#rT5!vW2@pL9$mN4^bX7&cJ1*hF3(",
        SECRETS_ENCRYPTION_KEYS="",
    )
    assert result.returncode != 0
    assert "SECRETS_ENCRYPTION_KEYS is missing" in result.stderr


def test_a_malformed_encryption_key_refuses_to_start_without_echoing_it():
    result = _manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY="k" * 20 + "-Zq8#rT5!vW2@pL9$mN4^bX7&cJ1*hF3(",
        SECRETS_ENCRYPTION_KEYS="not-a-fernet-key-but-a-secret",
    )
    assert result.returncode != 0
    assert "not a Fernet key" in result.stderr
    assert "not-a-fernet-key-but-a-secret" not in result.stderr


def test_unknown_django_env_is_rejected():
    result = _manage("check", DJANGO_ENV="staging")
    assert result.returncode != 0
    assert "DJANGO_ENV must be" in result.stderr
