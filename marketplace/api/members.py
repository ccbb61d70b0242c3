"""The calling organisation's members (``GET /members``, docs/api.md#members), for partners who mirror who may act
for them: each member's address, role and since when. Needs the ``manage`` scope (an admin's session, or a key
holding it); invitations, role changes and removals are made on the members page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.permissions import scope
from config.api.principal import MANAGE, principal_of
from config.api.serializers import Serializer
from marketplace import selectors


class MemberSerializer(Serializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    role = serializers.ChoiceField(choices=["admin", "member"], read_only=True)
    created_at = serializers.DateTimeField(read_only=True, help_text="When the person joined the organisation.")


class MemberList(GenericAPIView):
    """The organisation's members, newest first."""

    serializer_class = MemberSerializer

    @extend_schema(operation_id="members_list", responses=MemberSerializer(many=True))
    @scope(MANAGE)  # more than read: who may act for the organisation
    def get(self, request: Request) -> Response:
        principal = principal_of(request)
        assert principal is not None  # IsMember, the default permission
        page = self.paginate_queryset(selectors.members_queryset(organization_id=principal.organization_id))
        return self.get_paginated_response(MemberSerializer(list(page or []), many=True).data)
