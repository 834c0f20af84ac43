"""Lists run into one line are joined with the language's own separator: Arabic's comma
"، " on an Arabic page, never a Latin "," (seen on the users page in round 6)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from vigie.core.i18n import join_clauses, join_list
from vigie.core.models import Membership, User
from vigie.core.roles import catalogue
from vigie.testing import World


@pytest.mark.parametrize(
    ("lang", "joined"), [("en", "a, b, c"), ("fr", "a, b, c"), ("ar", "a، b، c")]
)
def test_join_list_uses_the_languages_separator(lang: str, joined: str) -> None:
    with translation.override(lang):
        assert join_list(["a", "b", "c"]) == joined
        rendered = Template("{% load vigie_i18n %}{{ items|join_list }}").render(
            Context({"items": ["<b>", "c"]})
        )
        assert rendered == join_list(["&lt;b&gt;", "c"])  # escaped like Django's join


@pytest.mark.parametrize(("lang", "joined"), [("en", "a; b"), ("fr", "a\u202f; b"), ("ar", "a؛ b")])
def test_join_clauses_uses_the_languages_semicolon(lang: str, joined: str) -> None:
    with translation.override(lang):
        assert join_clauses(["a", "b"]) == joined
        rendered = Template("{% load vigie_i18n %}{{ items|join_clauses }}").render(
            Context({"items": ["<b>", "c"]})
        )
        assert rendered == join_clauses(["&lt;b&gt;", "c"])


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_users_page_joins_roles_in_the_pages_language(
    world: World, web: Any, lang: str
) -> None:
    member = User.objects.create(username="two.roles")
    for role in ("analyst", "screening_officer"):
        Membership.objects.create(user=member, organisation=world.own, role=role)
    url = reverse("core:org-users", args=[world.own.code])
    page = web(world.users["org_admin"]).get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    row = re.search(r"two\.roles</a>.*?</tr>", page, re.S)
    assert row, page
    with translation.override(lang):
        labels = [catalogue().role(r).label for r in ("analyst", "screening_officer")]
    sep = "، " if lang == "ar" else ", "
    assert sep.join(labels) in row.group() or sep.join(reversed(labels)) in row.group()
    if lang == "ar":
        assert ", " not in row.group()
