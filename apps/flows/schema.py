"""OpenAPI: the front door's cached key authentication is the same ``ApiKey`` bearer scheme."""

from apps.tenants.schema import ApiKeyAuthenticationScheme


class CachedApiKeyAuthenticationScheme(ApiKeyAuthenticationScheme):
    target_class = "apps.flows.authentication.CachedApiKeyAuthentication"
