from django.urls import path

from apps.providers import apis

urlpatterns = [
    path("", apis.ProviderListCreateApi.as_view(), name="providers-list"),
    path("aliases", apis.ModelAliasListCreateApi.as_view(), name="providers-aliases"),
    path(
        "aliases/<int:alias_id>", apis.ModelAliasDetailApi.as_view(), name="providers-alias-detail"
    ),
    path("<int:provider_id>", apis.ProviderDetailApi.as_view(), name="providers-detail"),
    path("<int:provider_id>/breaker", apis.BreakerStateApi.as_view(), name="providers-breaker"),
    path(
        "<int:provider_id>/breaker/reset",
        apis.BreakerResetApi.as_view(),
        name="providers-breaker-reset",
    ),
    path(
        "<int:provider_id>/breaker/force-open",
        apis.BreakerForceOpenApi.as_view(),
        name="providers-breaker-force-open",
    ),
    path(
        "<int:provider_id>/breaker/disable",
        apis.BreakerDisableApi.as_view(),
        name="providers-breaker-disable",
    ),
    path("<int:provider_id>/test", apis.ProviderTestApi.as_view(), name="providers-test"),
]
