"""Attacker's and careless user's probe (issue 15 item 3, ADR 0059): the linkage files a
person hands the command line — a CSV to encode with a word for an age, an encoding file
that is not JSON or is nested 100,000 deep — end in a clear error naming the file (and row
and column), never a raw traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from vigie.cli import cli
from vigie.core.models import Membership
from vigie.testing import World


def test_a_word_for_an_age_names_the_row_and_column(tmp_path: Path) -> None:
    src = tmp_path / "mine.csv"
    src.write_text("record_key,given_name,age,recorded_year\nk1,Ana,14,2024\nk2,Bo,twelve,2024\n")
    (tmp_path / "secret").write_bytes(b"a shared secret of enough length")
    got = CliRunner().invoke(
        cli,
        ["link", "encode", str(src), "--secret-file", str(tmp_path / "secret"), "-o",
         str(tmp_path / "out.json")],
    )  # fmt: skip
    assert not isinstance(got.exception, ValueError), got.exception
    assert "mine.csv, row 3, column age" in got.output, got.output


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["not json", "[" * 100_000 + "]" * 100_000])
def test_an_encoding_file_that_is_not_json_is_a_clear_error(
    world: World, tmp_path: Path, body: str
) -> None:
    user = world.users["analyst"]
    Membership.objects.get_or_create(user=user, organisation=world.own, role="analyst")
    path = tmp_path / "encoded.json"
    path.write_text(body)
    got = CliRunner().invoke(
        cli, ["link", "upload", str(path), "--user", user.username, "--org", world.own.code]
    )
    assert got.exit_code != 0
    assert isinstance(got.exception, SystemExit), repr(got.exception)
    assert "encoded.json" in got.output, got.output
