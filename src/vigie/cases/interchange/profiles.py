"""Saved mapping profiles of the web import (one organisation's named mapping files): reads
with permission checks and writes. Whoever may import case records into an organisation
(``case.import``) may see, use, create, change and delete its profiles. A profile is a mapping
file (vigie.cases.interchange.mapping): it is checked by the same code, and downloads and
uploads as YAML.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from vigie.cases.interchange import mapping
from vigie.cases.models import MappingProfile
from vigie.core import access
from vigie.core.actor import Viewer, person_of
from vigie.core.models import Organisation

PERM = "case.import"


def visible_profiles(user: Viewer) -> QuerySet[MappingProfile]:
    qs = MappingProfile.objects.select_related("organisation")
    return access.filter_visible(qs, user, PERM)


def get_profile_for(user: Viewer, pk: int) -> MappingProfile:
    profile = visible_profiles(user).filter(pk=pk).first()
    if profile is None:
        raise Http404
    return profile


def to_mapping(profile: MappingProfile) -> mapping.Mapping:
    return mapping.Mapping(
        profile.layout, dict(profile.columns), dict(profile.values), f"{profile.name}.yaml"
    )


def to_yaml(profile: MappingProfile) -> str:
    head = f"# Vigie mapping profile {profile.name!r} ({profile.organisation.code})\n"
    return head + mapping.dump(to_mapping(profile))


def save_profile(
    user: Viewer,
    organisation: Organisation,
    name: str,
    rules: mapping.Mapping,
    instance: MappingProfile | None = None,
    *,
    replace: bool = False,
) -> MappingProfile:
    """Create a profile, or change ``instance`` (or, with ``replace``, the organisation's
    profile of that name). ``rules`` is checked as a mapping file would be; a name already
    taken in the organisation is a MappingError."""
    if not access.has_perm(user, PERM, organisation.pk):
        raise PermissionDenied
    if instance is not None and not access.can(user, PERM, instance):
        raise PermissionDenied
    mapping.loads(mapping.dump(rules), f"{name}.yaml")  # the same checks as a file
    name = name.strip()[:120]
    profile = instance
    if profile is None and replace:
        profile = MappingProfile.objects.filter(organisation=organisation, name=name).first()
    if profile is None:
        profile = MappingProfile(organisation=organisation, created_by=person_of(user))
    clash = MappingProfile.objects.filter(organisation=organisation, name=name)
    if profile.pk:
        clash = clash.exclude(pk=profile.pk)
    if clash.exists():
        raise mapping.MappingError(f"a profile named {name!r} already exists")
    profile.organisation = organisation
    profile.name = name
    profile.layout = rules.layout
    profile.columns = dict(rules.columns)
    profile.values = {k: dict(v) for k, v in rules.values.items()}
    profile.save()
    return profile


def delete_profile(user: Viewer, profile: MappingProfile) -> None:
    if not access.can(user, PERM, profile):
        raise PermissionDenied
    profile.delete()
