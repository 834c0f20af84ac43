from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vigie.suppliers.models import Alert, Invitation, Review, Supplier


class PartyIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=300)
    role = serializers.ChoiceField(choices=["owner", "director"], default="owner")
    kind = serializers.ChoiceField(choices=["Person", "Organization"], default="Person")
    birth_date = serializers.CharField(max_length=10, required=False, default="")
    nationality = serializers.CharField(max_length=100, required=False, default="")
    share = serializers.CharField(max_length=10, required=False, default="")


class ProductIn(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=300)
    unspsc = serializers.RegexField(r"^\d{8}$", required=False, default="")
    good = serializers.CharField(max_length=80, required=False, default="")
    country = serializers.CharField(max_length=100, required=False, default="")


class ContractIn(serializers.Serializer[Any]):
    reference = serializers.CharField(max_length=60)
    title = serializers.CharField(max_length=300, required=False, default="")
    value = serializers.CharField(max_length=20, required=False, default="")
    currency = serializers.CharField(max_length=3, required=False, default="")
    starts = serializers.CharField(max_length=10, required=False, default="")
    ends = serializers.CharField(max_length=10, required=False, default="")


class SupplierIn(serializers.Serializer[Any]):
    reference = serializers.CharField(max_length=60)
    name = serializers.CharField(max_length=300)
    country = serializers.CharField(max_length=100, required=False, default="")
    address = serializers.CharField(max_length=1000, required=False, default="")
    contact_email = serializers.EmailField(required=False, default="")
    identifiers = serializers.DictField(
        child=serializers.CharField(max_length=120), required=False, default=dict
    )
    sourcing_countries = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list, max_length=50
    )
    parties = PartyIn(many=True, required=False, default=list)
    products = ProductIn(many=True, required=False, default=list)
    contracts = ContractIn(many=True, required=False, default=list)
    organisation = serializers.CharField(
        max_length=60, required=False, help_text="Code of the organisation acted for."
    )


class SupplierOut(serializers.ModelSerializer[Supplier]):
    class Meta:
        model = Supplier
        fields = [
            "id",
            "reference",
            "name",
            "identifiers",
            "country",
            "address",
            "sourcing_countries",
            "status",
            "risk_score",
            "risk_detail",
            "risk_updated_at",
            "created_at",
        ]


class AlertOut(serializers.ModelSerializer[Alert]):
    supplier_reference = serializers.CharField(source="supplier.reference")
    party_role = serializers.CharField(source="party.role", default=None)

    class Meta:
        model = Alert
        fields = [
            "id",
            "supplier",
            "supplier_reference",
            "party",
            "party_role",
            "change",
            "watchlist",
            "entry_reference",
            "entry_caption",
            "score",
            "explanation",
            "status",
            "created_at",
        ]


class ReviewIn(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=Review.Decision.choices)
    reason = serializers.CharField(max_length=2000)


class ReviewOut(serializers.ModelSerializer[Review]):
    reviewer = serializers.CharField(source="reviewer.username", default="system")

    class Meta:
        model = Review
        fields = [
            "id",
            "alert",
            "supplier",
            "decision",
            "reason",
            "reviewer",
            "decided_at",
            "entry_reference",
        ]


class InvitationIn(serializers.Serializer[Any]):
    language = serializers.ChoiceField(choices=["en", "fr", "ar"], default="en")
    days = serializers.IntegerField(min_value=1, max_value=90, default=30)


class InvitationOut(serializers.ModelSerializer[Invitation]):
    class Meta:
        model = Invitation
        fields = [
            "id",
            "supplier",
            "questionnaire",
            "version",
            "language",
            "status",
            "expires_at",
            "submitted_at",
            "score",
        ]


class LinkOut(serializers.Serializer[Any]):
    invitation = InvitationOut()
    token = serializers.CharField()
    link = serializers.CharField()


class AnswersIn(serializers.Serializer[Any]):
    answers = serializers.DictField(child=serializers.CharField(max_length=40))
    statement = serializers.CharField(
        max_length=20000, required=False, default="", allow_blank=True
    )
    statement_year = serializers.IntegerField(required=False, allow_null=True, default=None)


class SupplierImportIn(serializers.Serializer[Any]):
    file = serializers.FileField()
    mapping = serializers.FileField(required=False)
    organisation = serializers.CharField(max_length=60, required=False)


class AttachmentIn(serializers.Serializer[Any]):
    file = serializers.FileField()
