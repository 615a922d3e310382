from django.urls import path

from apps.tenants.apis import WhoAmIApi

urlpatterns = [
    path("me", WhoAmIApi.as_view(), name="tenants-me"),
]
