"""Production settings pass Django's deployment checks; every page carries security headers."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TIDE = Path(sys.executable).with_name("tide")


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TIDE_", "DJANGO_"))
    }
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update(
        DEBUG="0",
        HTTPS="1",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        ALLOWED_HOSTS="tide.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        TIDE_HOME=str(tmp_path),
    )
    return env


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [str(TIDE), "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_notices_a_missing_https_setting(tmp_path):
    """The check above would pass vacuously if it never saw production settings."""
    env = production_env(tmp_path)
    env["HTTPS"] = "0"

    result = subprocess.run(
        [str(TIDE), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS


@pytest.mark.parametrize("url", [reverse("account_login"), reverse("account_signup")])
def test_visitor_pages_carry_security_headers(client, url):
    response = client.get(url)

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_member_pages_carry_security_headers(client, member):
    client.force_login(member)

    response = client.get(reverse("accounts:settings"))

    assert "Content-Security-Policy" in response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_production_hashes_passwords_with_pbkdf2_at_a_million_iterations_or_more(tmp_path):
    code = (
        "from django.contrib.auth.hashers import get_hasher; h = get_hasher(); "
        "print(h.algorithm, h.iterations)"
    )
    result = subprocess.run(
        [str(TIDE), "shell", "--no-imports", "-c", code],
        env=production_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    algorithm, iterations = result.stdout.strip().splitlines()[-1].split()
    assert algorithm in {"pbkdf2_sha256", "argon2"}
    assert int(iterations) >= 1_000_000


def test_session_cookie_is_http_only_and_same_site(client, member):
    response = client.post(
        reverse("account_login"), {"login": "member@example.com", "password": PASSWORD}
    )

    session_cookie = response.cookies["sessionid"]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"
