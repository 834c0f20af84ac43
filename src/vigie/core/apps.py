import django_stubs_ext
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Lets typed code write ModelForm[Model] and friends at run time. Here rather than in the
# settings (ADR 0061): apps.py modules are imported before any model module, and reading the
# settings stays cheap.
django_stubs_ext.monkeypatch()


class CoreConfig(AppConfig):
    name = "vigie.core"
    label = "core"
    verbose_name = _("Organisations and access")
    nav_label = _("Administration")
    nav = [
        ("core:users", _("Users"), "org.users.manage"),
        ("core:grants", _("Role approvals"), "org.users.manage"),
        ("core:organisations", _("Organisations"), "system.orgs.manage"),
        ("core:audit", _("Audit"), "audit.view"),
        ("core:jobs", _("Jobs"), None),
    ]

    def ready(self) -> None:
        from vigie.core import audit, changelog, checks, tokens  # noqa: F401  (checks register)
        from vigie.core.models import (
            ApiToken,
            Membership,
            Organisation,
            OrganisationShare,
            PendingGrant,
            User,
        )

        changelog.connect()
        tokens.connect()
        audit.register_checkpoints()
        changelog.register(Organisation, Membership, OrganisationShare, ApiToken, PendingGrant)
        changelog.register(User, exclude_fields=["password", "last_login"])
