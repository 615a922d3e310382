from django.urls import path

from apps.tenants.apis import ApiKeyListCreateApi, ApiKeyRevokeApi, WhoAmIApi

urlpatterns = [
    path("me", WhoAmIApi.as_view(), name="tenants-me"),
    path("keys", ApiKeyListCreateApi.as_view(), name="tenants-keys"),
    path("keys/<int:key_id>/revoke", ApiKeyRevokeApi.as_view(), name="tenants-key-revoke"),
]
