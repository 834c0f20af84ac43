from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentificationConfig(AppConfig):
    name = "vigie.identification"
    label = "identification"
    verbose_name = _("Identification and referral")
    default_auto_field = "django.db.models.BigAutoField"
    nav = [
        ("identification:interviews", _("Identification"), "identification.interview"),
        ("identification:services", _("Services"), "case.view"),
        ("identification:caseload", _("Caseload"), "referral.manage"),
    ]
