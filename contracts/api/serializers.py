from __future__ import annotations

from typing import Any

from rest_framework import serializers

from contracts.models import Acceptance, Contract, ContractEvent


class ClauseSerializer(serializers.Serializer):
    code = serializers.CharField()
    number = serializers.IntegerField()
    title = serializers.DictField(child=serializers.CharField())
    text = serializers.DictField(child=serializers.CharField())
    parameters = serializers.ListField(child=serializers.CharField())
    negotiable = serializers.BooleanField()
    applies_to = serializers.ListField(child=serializers.CharField(), allow_null=True)
    survives = serializers.BooleanField()

    def to_representation(self, clause: Any) -> dict[str, Any]:
        return {
            "code": clause.code,
            "number": clause.number,
            "title": dict(clause.title),
            "text": dict(clause.text),
            "parameters": list(clause.parameters),
            "negotiable": clause.negotiable,
            "applies_to": sorted(clause.applies_to) if clause.applies_to is not None else None,
            "survives": clause.survives,
        }


class TemplateSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    contract_type = serializers.CharField()
    title = serializers.DictField(child=serializers.CharField())
    clauses = ClauseSerializer(many=True)
    terms_schema = serializers.DictField()
    defaults = serializers.DictField()
    term_labels = serializers.DictField()
    term_help = serializers.DictField()


class AcceptanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Acceptance
        fields = ["role", "organization_id", "terms_sha256", "appi_notice_accepted", "accepted_at"]


class ContractEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractEvent
        fields = ["from_status", "to_status", "reason", "created_at"]


class ContractSerializer(serializers.ModelSerializer):
    template = serializers.SerializerMethodField()
    seller = serializers.SerializerMethodField()
    buyer = serializers.SerializerMethodField()
    dataset_version = serializers.SerializerMethodField()
    offering = serializers.UUIDField(source="offering_id")
    acceptances = AcceptanceSerializer(many=True)
    events = ContractEventSerializer(many=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "template",
            "contract_type",
            "seller",
            "buyer",
            "dataset",
            "dataset_version",
            "offering",
            "terms",
            "terms_sha256",
            "document_sha256",
            "document_en_sha256",
            "price",
            "quantity",
            "amount",
            "currency",
            "status",
            "valid_from",
            "valid_until",
            "concluded_at",
            "acceptances",
            "events",
        ]

    def get_template(self, contract: Contract) -> str:
        return f"{contract.template_code}@{contract.template_version}"

    def get_seller(self, contract: Contract) -> dict[str, str]:
        return {"id": str(contract.seller_id), "name": contract.seller_name}

    def get_buyer(self, contract: Contract) -> dict[str, str]:
        return {"id": str(contract.buyer_id), "name": contract.buyer_name}

    def get_dataset_version(self, contract: Contract) -> int:
        return contract.dataset_version.number
