"""Contract templates (docs/api.md#the-life-of-a-contract), published for anyone: the current ones, or a past
version of one, with their clauses, the schema of their terms and the terms' defaults."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.pagination import query_int, whole_list, whole_list_schema
from config.api.permissions import Public
from config.errors import NotFound
from contracts.registry import TEMPLATES, templates_current


class ClauseSerializer(serializers.Serializer):
    code = serializers.CharField()
    number = serializers.IntegerField()
    title = serializers.DictField(child=serializers.CharField())
    text = serializers.DictField(child=serializers.CharField())
    parameters = serializers.ListField(child=serializers.CharField())
    negotiable = serializers.BooleanField()
    applies_to = serializers.ListField(child=serializers.CharField(), allow_null=True)
    survives = serializers.BooleanField()
    applies_when = serializers.ChoiceField(
        choices=["subscription", "stream"],
        allow_null=True,
        help_text="Only in contracts whose terms are a subscription's (with a live stream); null: in every contract.",
    )

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
            "applies_when": clause.when,
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


class TemplateList(GenericAPIView):
    permission_classes = [Public]
    serializer_class = TemplateSerializer
    pagination_class = None

    @extend_schema(
        operation_id="contract_templates_list", responses=whole_list_schema(TemplateSerializer, "ContractTemplateList")
    )
    def get(self, request: Request) -> Response:
        return whole_list(TemplateSerializer(templates_current(), many=True).data)


class TemplateDetail(GenericAPIView):
    permission_classes = [Public]
    serializer_class = TemplateSerializer

    @extend_schema(
        operation_id="contract_templates_retrieve",
        parameters=[
            OpenApiParameter(
                "version",
                {"type": "integer", "minimum": 1},
                description="A past version; default: the current one.",
            )
        ],
        responses=TemplateSerializer,
    )
    def get(self, request: Request, code: str) -> Response:
        version = query_int(request, "version", minimum=1)
        # The path names the template: an unknown code or version is a 404 (template_get's 400 is for a body).
        current = next((t for t in templates_current() if t.code == code), None)
        if current is None:
            known = ", ".join(t.code for t in templates_current())
            raise NotFound(f"No contract template {code!r}; known: {known}.")
        template = current if version is None else TEMPLATES.get((code, version))
        if template is None:
            raise NotFound(
                f"Contract template {code!r} has no version {version}; the current one is {current.version}."
            )
        return Response(TemplateSerializer(template).data)
