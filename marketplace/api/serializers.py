from rest_framework import serializers

from config.api.principal import Principal


class MeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="organization_id")
    name = serializers.CharField(source="organization_name")
    roles = serializers.SerializerMethodField()
    country = serializers.CharField()
    verified = serializers.BooleanField()
    authenticated_by = serializers.SerializerMethodField()

    def get_roles(self, principal: Principal) -> list[str]:
        return sorted(principal.roles)

    def get_authenticated_by(self, principal: Principal) -> str:
        return "api_key" if principal.api_key_id else "session"
