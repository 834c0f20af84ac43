from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from vigie.core import crypto, keys
from vigie.core.fields import blind_index_for
from vigie.core.tests.encrypted_model import secret_table

NAMES = ["Amina Yusuf Abdullahi", "Nadia Murad-like Testname", "فاطمة الزهراء", "Ольга Тестова"]


@given(st.text(max_size=300), st.text(min_size=1, max_size=40))
def test_encrypt_decrypt_roundtrip(plain: str, context: str) -> None:
    stored = crypto.encrypt(plain, context)
    assert plain == crypto.decrypt(stored, context)
    if len(plain) >= 4:
        assert plain not in stored


def test_ciphertext_is_bound_to_its_column() -> None:
    stored = crypto.encrypt("Amina", "cases.victim.name")
    with pytest.raises(crypto.DecryptionError, match="failed authentication"):
        crypto.decrypt(stored, "cases.victim.phone")


def test_tampered_ciphertext_is_refused() -> None:
    stored = crypto.encrypt("Amina", "ctx")
    prefix, kid, body = stored.split(":")
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}:{kid}:{flipped}", "ctx")


def test_same_value_encrypts_differently_each_time() -> None:
    assert crypto.encrypt("Amina", "ctx") != crypto.encrypt("Amina", "ctx")


@given(st.text(min_size=1, max_size=60))
def test_blind_index_ignores_case_accents_and_spacing(value: str) -> None:
    variant = "  " + value.upper() + " "
    assert crypto.blind_index(value, "c") == crypto.blind_index(variant, "c") or (
        crypto.normalise_for_index(value) != crypto.normalise_for_index(variant)
    )


def test_blind_index_known_pairs() -> None:
    assert crypto.blind_index("Zoë  Ndiaye", "c") == crypto.blind_index("zoe ndiaye", "c")
    assert crypto.blind_index("Zoe Ndiaye", "c") != crypto.blind_index("Zoe Ndiaye", "other")
    assert crypto.blind_index("Zoe", "c") != crypto.blind_index("Zoey", "c")


@pytest.mark.django_db(transaction=True)
def test_database_holds_no_plaintext(tmp_path: Path) -> None:
    with secret_table() as Thing:
        for name in NAMES:
            Thing.objects.create(name=name, born=dt.date(1999, 3, 14), note="clear")
        with connection.cursor() as cur:
            cur.execute("SELECT name, born, note FROM test_secret_thing")
            raw = cur.fetchall()
        assert all(r[0].startswith("v1:") and r[1].startswith("v1:") for r in raw)
        joined = " ".join(str(r) for r in raw)
        for name in NAMES:
            assert name not in joined
        assert "1999-03-14" not in joined
        assert {t.name for t in Thing.objects.all()} == set(NAMES)
        if connection.vendor == "sqlite":
            copy = tmp_path / "copy.sqlite3"
            dest = sqlite3.connect(copy)
            connection.connection.backup(dest)
            dest.close()
            data = copy.read_bytes()
            assert b"clear" in data  # the scan does see clear text where there is some
            for name in NAMES:
                assert name.encode() not in data
                assert name.split()[0].encode() not in data
            assert b"1999-03-14" not in data


@pytest.mark.django_db(transaction=True)
def test_blind_index_finds_exact_matches_only() -> None:
    with secret_table() as Thing:
        Thing.objects.create(name="Amina Yusuf")
        Thing.objects.create(name="Amina Yusufu")
        found = Thing.objects.filter(name_index=blind_index_for(Thing, "name", "amina  YUSUF"))
        assert [t.name for t in found] == ["Amina Yusuf"]
        with pytest.raises(FieldError, match="encrypted"):
            list(Thing.objects.filter(name="Amina Yusuf"))


@pytest.mark.django_db(transaction=True)
def test_key_rotation_reencrypts_everything_and_allows_retiring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = dict(settings.VIGIE_FIELD_KEYS)
    monkeypatch.setattr(keys, "BATCH", 3)
    try:
        with secret_table() as Thing:
            for i in range(10):
                Thing.objects.create(name=f"Person {i}", born=dt.date(2001, 1, 1 + i))
            old = settings.VIGIE_FIELD_KEYS["active"]
            assert keys.usage() == {old: 20}
            with pytest.raises(keys.KeyOperationRefused, match="active key"):
                keys.retire(old)
            result = keys.rotate()
            assert result.rewritten == 10 and not result.resumed
            assert keys.usage() == {result.key_id: 20}
            keys.retire(old)
            assert old not in settings.VIGIE_FIELD_KEYS["keys"]
            assert sorted(t.name for t in Thing.objects.all()) == sorted(
                f"Person {i}" for i in range(10)
            )
    finally:
        settings.VIGIE_FIELD_KEYS = original


@pytest.mark.django_db(transaction=True)
def test_interrupted_rotation_resumes(monkeypatch: pytest.MonkeyPatch) -> None:
    original = dict(settings.VIGIE_FIELD_KEYS)
    monkeypatch.setattr(keys, "BATCH", 2)
    try:
        with secret_table() as Thing:
            for i in range(7):
                Thing.objects.create(name=f"P{i}")
            calls = {"n": 0}

            def crash_after_two_batches(label: str, done: int) -> None:
                if label == "core.SecretThing":
                    calls["n"] += 1
                    if calls["n"] == 2:
                        raise RuntimeError("power cut")

            with pytest.raises(RuntimeError, match="power cut"):
                keys.rotate(progress=crash_after_two_batches)
            new = settings.VIGIE_FIELD_KEYS["active"]
            assert keys.usage()[new] == 4  # two batches of two were committed
            result = keys.rotate()
            assert result.resumed and result.key_id == new
            assert keys.usage() == {new: 7}
    finally:
        settings.VIGIE_FIELD_KEYS = original


def test_retiring_unknown_key_is_refused() -> None:
    with pytest.raises(keys.KeyOperationRefused, match="no key"):
        keys.retire("k999")
