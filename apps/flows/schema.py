"""OpenAPI: the front door's cached key authentication (the same bearer tenant key)."""

from apps.tenants.schema import ApiKeyAuthenticationScheme


class CachedApiKeyAuthenticationScheme(ApiKeyAuthenticationScheme):
    target_class = "apps.flows.authentication.CachedApiKeyAuthentication"
    # A component of its own (drf-spectacular wants one per authentication class); it
    # describes the same tenant key as "ApiKey".
    name = "GatewayApiKey"
