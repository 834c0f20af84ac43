from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
        from vigie.core.api import schema  # noqa: F401  (registers the token scheme)
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
