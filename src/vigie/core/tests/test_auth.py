from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.test import Client

from vigie.settings import base
from vigie.testing import World


def test_production_hashing_is_argon2() -> None:
    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_password_hash_is_argon2_with_base_settings(world: World, settings: Any) -> None:
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    user = world.users["analyst"]
    user.set_password("a long passphrase 2331")
    user.save()
    assert identify_hasher(user.password).algorithm == "argon2"


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"login": username, "password": password})


def test_login_and_logout(world: World) -> None:
    client = Client()
    response = _login(client, "u-analyst", "correct-horse-battery")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_keeps_username_and_explains(world: World) -> None:
    response = _login(Client(), "u-analyst", "wrong")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="u-analyst"' in body
    assert 'role="alert"' in body


def test_repeated_failures_are_throttled(world: World) -> None:
    client = Client()
    for _ in range(5):
        _login(client, "u-analyst", "wrong")
    response = _login(client, "u-analyst", "correct-horse-battery")
    assert response.status_code in {200, 429}
    assert "_auth_user_id" not in client.session


def test_signup_is_closed(db: Any) -> None:
    response = Client().get("/accounts/signup/")
    assert response.status_code == 200
    assert b"closed" in response.content.lower() or b"ferm" in response.content.lower()


def test_languages_and_right_to_left(world: World) -> None:
    client = Client()
    for lang, direction, word in [
        ("fr", "ltr", "Connexion"),
        ("en", "ltr", "Log in"),
        ("ar", "rtl", "تسجيل الدخول"),
    ]:
        response = client.post("/i18n/setlang/", {"language": lang, "next": "/accounts/login/"})
        assert response.status_code == 302
        page = client.get("/accounts/login/").content.decode()
        assert f'<html lang="{lang}" dir="{direction}">' in page
        assert word in page, (lang, word)


def test_mfa_totp_is_offered(world: World, web: Any) -> None:
    client = web(world.users["analyst"])
    response = client.get("/accounts/2fa/")
    assert response.status_code == 200
    assert "totp" in settings.MFA_SUPPORTED_TYPES
