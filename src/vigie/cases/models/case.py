"""The case and its terms; the managers and the abstract base of every row a case owns
(split from the models module; ``vigie.cases.models`` re-exports every model)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.cases.codelists import STANDARD_VERSION
from vigie.cases.fields import CodeField
from vigie.cases.models.staging import ImportStage
from vigie.core.classification import classify
from vigie.core.fields import (
    EncryptedJSONField,
)
from vigie.core.models import Organisation

#: the rows the list indexes hold: published cases (a staged import's are left out)
LISTED = models.Q(stage__isnull=True)
#: cases that are not a staged copy of another (ADR 0047)
ORIGINAL = models.Q(replaces__isnull=True)


class PublishedCases(models.Manager["Case"]):
    """Cases that are published: a staged import's cases stay out of every query. (A staged
    copy is always staged; ``replaces IS NULL`` is said too so that SQLite may search the
    partial unique indexes of references and source ids, ADR 0047.)"""

    def get_queryset(self) -> models.QuerySet[Case]:
        return super().get_queryset().filter(stage__isnull=True, replaces__isnull=True)


class PublishedRows(models.Manager[Any]):
    """Rows of published cases (a staged import's rows stay out of every query)."""

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().filter(case__stage__isnull=True)


class OwnedByCase(models.Model):
    """A row that belongs to a case and to the case's organisation."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # no index of its own: rows are reached through their case (docs/adr/0312); a table that
    # is filtered by organisation declares one (Perpetrator)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    case: Any  # set by subclasses

    objects = PublishedRows()  # the default manager: rows of published cases only
    all_objects = models.Manager()  # noqa: DJ012 (staged too: the importer's own work)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.organisation_id = self.case.organisation_id
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.case.organisation.code, "case": str(self.case.uuid)}


class Case(models.Model):
    """One record of the standard: provenance, conflict context, dates, status and justice."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="source_identity content_digest",
        sensitive=(
            "source_attributes summary area search_text codes_index event_date_start "
            "event_date_end event_year identification_date identification_year report_date "
            "investigation_status prosecution_status conviction_status"
        ),
        ordinary=(
            "id uuid organisation reference status source_type source_record_id "
            "verification_status standard_version conflict_situation "
            "conflict_context country created_by created_at updated_at stage replaces swap_parts"
        ),
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # indexed as the first column of case_list_organisation and of the unique constraints
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("organisation"),
        db_index=False,
    )
    # left empty, services.save_record generates one (web form, API and imports alike)
    reference = models.CharField(
        _("reference"), max_length=60, blank=True, help_text=_("Left empty, one is generated.")
    )
    summary = models.TextField(
        _("summary (no names or other identifying details)"),
        blank=True,
        default="",
        help_text=_("What happened, without names, addresses or other identifying details."),
    )
    status = CodeField(_("status"), codelist="case_status", default="active")
    # provenance
    source_type = CodeField(_("data source type"), codelist="data_source_types")
    source_record_id = models.CharField(
        _("source record id"), max_length=120, blank=True, default=""
    )
    verification_status = CodeField(
        _("verification status"), codelist="verification_status", default="reported"
    )
    standard_version = models.CharField(
        _("standard version"), max_length=20, default=STANDARD_VERSION, editable=False
    )
    event_date_start = models.DateField(_("events from"), null=True, blank=True)
    event_date_end = models.DateField(_("events until"), null=True, blank=True)
    event_year = models.PositiveSmallIntegerField(
        _("year of the events"), null=True, blank=True, help_text=_("when no exact date is known")
    )
    identification_date = models.DateField(_("date of identification"), null=True, blank=True)
    identification_year = models.PositiveSmallIntegerField(
        _("year of identification or registration"), null=True, blank=True
    )
    report_date = models.DateField(_("date of report"), null=True, blank=True)
    # conflict
    conflict_situation = CodeField(_("conflict situation"), codelist="conflict_situations")
    conflict_context = CodeField(_("conflict context"), codelist="conflict_contexts")
    country = models.CharField(
        _("country where identified (ISO 3166)"), max_length=2, blank=True, default=""
    )
    area = models.CharField(_("sub-national area"), max_length=200, blank=True, default="")
    # justice
    investigation_status = CodeField(_("investigation"), codelist="justice_status")
    prosecution_status = CodeField(_("prosecution"), codelist="justice_status")
    conviction_status = CodeField(_("conviction"), codelist="justice_status")
    # values of known source columns the standard has no field for (CTDC's explicit zeros
    # and blanks), kept for a faithful export
    source_attributes = models.JSONField(_("unmapped source columns"), default=dict, blank=True)
    # fields of a source record that no layout knows (HTCDS ``vic_MotherName``...): identity
    # by default, encrypted, shown and exported only with the identity permissions
    source_identity = EncryptedJSONField(
        _("unknown source fields (identifying)"), null=True, blank=True, default=dict
    )
    # derived by services.refresh_index: " form:x country:IQ sex:female ... " and searchable text
    codes_index = models.TextField(default="", blank=True, editable=False)
    search_text = models.TextField(default="", blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # set while an atomic import stages this case (invisible until published, ADR 0043);
    # vigie.cases.interchange.staging clears or deletes the cases before it deletes their stage
    stage = models.ForeignKey(
        ImportStage,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        editable=False,
    )
    # set on a staged copy: the new version of this published case, swapped in when the
    # stage is published (ADR 0047); a copy of a case deleted meanwhile is published as new.
    # No database constraint: SQLite would check it for every copy the swap deletes, and it
    # cannot search a partial index there (a full scan per copy: minutes at 20,000 copies)
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
        editable=False,
    )

    # keyed digest of what the last bulk write of this case gave (its case fields, its rows,
    # its filter terms), so that a re-import can tell an identical row from a changed one
    # without decrypting anything (ADR 0047, amended); emptied by every save through the ORM
    # (an edit), and then a re-import rewrites the case. Identity: a digest of identities.
    content_digest = models.CharField(max_length=120, blank=True, default="", editable=False)
    # on a staged copy: which of its parts differ from its case (bits of
    # vigie.cases.interchange.digests), the only parts the swap moves; by default every
    # part (the copies of a stage kept before this column carry all their rows)
    swap_parts = models.PositiveSmallIntegerField(default=3, editable=False)

    objects = PublishedCases()  # the default manager: published cases only
    all_objects = models.Manager()  # noqa: DJ012 (staged too: the importer's own work)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        constraints = [
            # a staged copy (``replaces`` set) shares its case's reference and source id
            # until the swap (ADR 0047)
            models.UniqueConstraint(
                fields=["organisation", "reference"],
                condition=ORIGINAL,
                name="case_reference_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "source_type", "source_record_id"],
                condition=~models.Q(source_record_id="") & ORIGINAL,
                name="case_source_record_unique",
            ),
            # one staged copy per case (also the swap's join); partial, so that no list
            # query (``replaces IS NULL``) is tempted by it
            models.UniqueConstraint(
                fields=["replaces"],
                # "IS NOT NULL", not "NOT (... IS NULL)": SQLite searches the index only
                # for a condition it recognises
                condition=models.Q(replaces__isnull=False),
                name="case_replaced_once",
            ),
        ]
        # the list's order (newest first) and its equality filters, in that order, so a page
        # is read from an index range without sorting (docs/cases.md, "Speed"); published
        # cases only, so that a list never walks the (newest) cases an import is staging
        # (ADR 0043: 100,000 staged cases made every first page read them all)
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="case_list_order", condition=LISTED),
            models.Index(
                fields=["organisation", "-created_at", "-id"],
                name="case_list_organisation",
                condition=LISTED,
            ),
            models.Index(
                fields=["conflict_situation", "-created_at", "-id"],
                name="case_list_situation",
                condition=LISTED,
            ),
            models.Index(
                fields=["verification_status", "-created_at", "-id"],
                name="case_list_verification",
                condition=LISTED,
            ),
            models.Index(
                fields=["conflict_situation", "verification_status", "-created_at", "-id"],
                name="case_list_situation_verif",
                condition=LISTED,
            ),
            # re-import: existing source record ids are looked up by batch
            models.Index(fields=["organisation", "source_record_id"], name="case_source_lookup"),
            # publication and discarding of a staged import; empty otherwise. It covers what
            # the swap reads of each copy (ADR 0047, eighth round): at 100,000 copies their
            # rows outgrow SQLite's page cache, and each statement that read them through an
            # index on the stage alone read every copy's row again
            models.Index(
                fields=["stage", "replaces", "swap_parts"],
                name="case_staged_swap",
                condition=models.Q(stage__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        # an edit through the ORM: the digest no longer describes the case (a re-import of
        # the file it was computed from must rewrite the case, not skip it)
        self.content_digest = ""
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "content_digest"}
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.organisation.code}


class CaseTerm(models.Model):
    """A filter term of a case (a code or a word of its non-identifying text), with the
    case's ``created_at`` so that one term's cases are an index range in list order
    (vigie.cases.search.terms, docs/adr/0313). Derived: rewritten whenever the case is."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="term",
        ordinary="id case created_at",
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="terms", db_index=False)
    term = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["term", "-created_at", "-case"], name="caseterm_list")]
        constraints = [models.UniqueConstraint(fields=["case", "term"], name="caseterm_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.term}"
