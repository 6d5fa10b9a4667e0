import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, timeout=120, **env):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it. The test
    # settings (tests/settings.py, which set DEBUG=1) must not reach a process that checks the project's.
    dropped = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
    dropped += tuple(k for k in os.environ if k.startswith(("EMAIL_", "SECURE_")))
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 20 + "a-long-random-production-key-0123456789",
        ALLOWED_HOSTS="mto.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_settings_warn_under_check_deploy():
    """The check above can fail: the development defaults do not pass it."""
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="1")
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_production_needs_a_secret_key():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="mto.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x" * 20 + "a-long-random-production-key-0123456789",
              "ALLOWED_HOSTS": "mto.example.com"}  # fmt: skip


def _settings(*names, **env):
    """The named settings as the project's settings module computes them from this environment."""
    show = f"{{n: str(getattr(s, n)) for n in {names!r}}}"
    code = f"import json; from django.conf import settings as s; print(json.dumps({show}))"
    result = _manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_debug_is_off_unless_set():
    assert _settings("DEBUG", SECRET_KEY="k" * 50)["DEBUG"] == "False"
    assert _settings("DEBUG", DEBUG="1")["DEBUG"] == "True"


def test_without_debug_there_is_no_default_secret_key():
    result = _manage("check", ALLOWED_HOSTS="mto.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_cookies_are_secure_in_production_unless_switched_off_for_a_local_trial():
    names = ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT")
    assert _settings(*names, **PRODUCTION) == dict.fromkeys(names, "True")
    trial = _settings(*names, **PRODUCTION, SECURE_COOKIES="0", SECURE_SSL_REDIRECT="0")
    assert trial == dict.fromkeys(names, "False")


def test_email_settings_come_from_email_url():
    names = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS")
    assert _settings(*names, **PRODUCTION, EMAIL_URL="smtp+tls://mto:s3cret@smtp.example.com:587") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": "587",
        "EMAIL_HOST_USER": "mto",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": "True",
    }
    # Production without EMAIL_URL: the local mail server; development: files in this checkout.
    assert _settings("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", **PRODUCTION) == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "localhost", "EMAIL_PORT": "25"
    }  # fmt: skip
    assert _settings("EMAIL_BACKEND", "EMAIL_FILE_PATH", DEBUG="1") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(ROOT / "sent-mail")
    }  # fmt: skip


def test_one_authentication_backend_signs_people_in(client, office):
    """RoleBackend is a ModelBackend: no second backend answers the same questions."""
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS
    assert client.login(username="office", password="pw-for-tests-1")
    assert client.session["_auth_user_backend"] == "mto.roles.RoleBackend"
    assert client.get("/").status_code == 200


def test_the_demo_writes_its_mail_to_files_not_to_the_terminal(tmp_path):
    """`make run` (DEBUG=1) seeds the demo: its ~50 notification e-mails must not scroll the server's address
    away (they printed about 1,450 lines to the console); the command says where they went instead."""
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "REDIS_URL": "",
           "EMAIL_FILE_PATH": str(tmp_path / "sent-mail"), "MEDIA_ROOT": str(tmp_path / "media")}  # fmt: skip
    # Generous limits: on a busy 2-core machine migrating and seeding take minutes.
    migrated = _manage("migrate", "--noinput", timeout=600, **env)
    assert migrated.returncode == 0, migrated.stdout[-3000:] + migrated.stderr[-3000:]
    result = _manage("seed_demo", timeout=600, **env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert len(result.stdout.splitlines()) < 40, result.stdout[:3000]
    assert "succeeded in" not in result.stdout + result.stderr, "a line per e-mail task"
    assert f"notification e-mails: go to files in {tmp_path / 'sent-mail'}" in result.stdout
    assert len(list((tmp_path / "sent-mail").iterdir())) > 10
