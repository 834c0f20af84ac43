"""Accounts, transaction files and alerts of a financial intelligence unit.

Transactions themselves are not rows here: each imported file becomes one Parquet file
under ``DATA_DIR/finance/<organisation>/`` read by DuckDB for the rules, with account
numbers replaced by keyed pseudonyms (``keys.py``). An account number identifies a person,
so the database keeps it encrypted beside its pseudonym (ADR 0800).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.core.classification import IDENTITY, ORDINARY, SENSITIVE
from vigie.core.fields import EncryptedTextField
from vigie.core.models import Organisation, User


class TransactionFile(models.Model):
    """One imported file of transactions (one Parquet part)."""

    class Status(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        REJECTED = "rejected", _("Rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    first_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IMPORTED)
    imported_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "organisation": ORDINARY,
        "name": SENSITIVE,
        "sha256": ORDINARY,
        "rows": ORDINARY,
        "rejected": ORDINARY,
        "first_at": ORDINARY,
        "last_at": ORDINARY,
        "status": ORDINARY,
        "imported_by": ORDINARY,
        "imported_at": ORDINARY,
    }

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """An account seen in the transactions of one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    number = EncryptedTextField(_("account number"))
    number_key = models.CharField(max_length=32)  # keys.account_key(number)
    holder = EncryptedTextField(_("account holder"), null=True, blank=True)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    score_detail = models.JSONField(default=dict, blank=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "organisation": ORDINARY,
        "number": IDENTITY,
        "number_key": ORDINARY,
        "holder": IDENTITY,
        "institution": ORDINARY,
        "country": ORDINARY,
        "first_seen": ORDINARY,
        "last_seen": ORDINARY,
        "score": SENSITIVE,
        "score_detail": SENSITIVE,
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number_key"], name="account_once")
        ]

    def __str__(self) -> str:
        return f"account #{self.pk}"


class Alert(models.Model):
    """A red-flag rule fired for an account; triaged by an analyst."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ASSIGNED = "assigned", _("Assigned")
        FALSE_POSITIVE = "false_positive", _("False positive")
        ESCALATED = "escalated", _("Escalated")
        REPORTED = "reported", _("Reported")

    CLOSED = (Status.FALSE_POSITIVE, Status.REPORTED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="alerts")
    rule = models.CharField(_("rule"), max_length=60)
    rule_version = models.PositiveIntegerField()
    typology = models.CharField(max_length=40)
    facts = models.JSONField(default=dict)
    transactions = models.JSONField(default=list)  # transaction ids, capped
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    notes = EncryptedTextField(_("notes"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "organisation": ORDINARY,
        "account": ORDINARY,
        "rule": ORDINARY,
        "rule_version": ORDINARY,
        "typology": ORDINARY,
        "facts": SENSITIVE,
        "transactions": SENSITIVE,
        "amount": SENSITIVE,
        "status": ORDINARY,
        "assignee": ORDINARY,
        "notes": IDENTITY,
        "created_at": ORDINARY,
        "decided_at": ORDINARY,
        "decided_by": ORDINARY,
    }

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "rule", "rule_version"], name="alert_once_per_rule"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} on account #{self.account_id}"


class CaseLink(models.Model):
    """An account the financial intelligence unit links to a case, and optionally to one
    person (victim or perpetrator) of it, with the basis of the link (ADR 0804)."""

    class Party(models.TextChoices):
        CASE = "case", _("the case")
        VICTIM = "victim", _("a victim")
        PERPETRATOR = "perpetrator", _("a perpetrator")

    class Basis(models.TextChoices):
        ANALYST = "analyst", _("analyst's finding")
        HOLDER = "holder", _("account holder named in the case")
        REQUEST = "request", _("answer to a request for information")
        SCREENING = "screening", _("screening result")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    party = models.CharField(max_length=12, choices=Party.choices, default=Party.CASE)
    # the uuid of the Victim or Perpetrator of that case, "" for the case itself (text, so the
    # uniqueness constraint holds on every database: NULLs are distinct in SQL)
    person = models.CharField(max_length=36, blank=True, default="")
    basis = models.CharField(max_length=12, choices=Basis.choices, default=Basis.ANALYST)
    note = EncryptedTextField(_("note"), null=True, blank=True)
    linked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "organisation": ORDINARY,
        "account": ORDINARY,
        "case": ORDINARY,
        "party": SENSITIVE,
        "person": SENSITIVE,
        "basis": SENSITIVE,
        "note": IDENTITY,
        "linked_by": ORDINARY,
        "linked_at": ORDINARY,
    }

    class Meta:
        ordering = ["-linked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "case", "party", "person"], name="case_link_once"
            )
        ]

    def __str__(self) -> str:
        return f"account #{self.account_id} - case #{self.case_id}"
