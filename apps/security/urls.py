from django.urls import path

from apps.security.apis import (
    AuditDetailApi,
    AuditListApi,
    DetectionPolicyApi,
    PatternDetailApi,
    PatternListApi,
    ScanApi,
)

urlpatterns = [
    path("patterns/", PatternListApi.as_view(), name="security-patterns"),
    path("patterns/<int:pk>", PatternDetailApi.as_view(), name="security-pattern"),
    path("scan", ScanApi.as_view(), name="security-scan"),
    path("detection-policy", DetectionPolicyApi.as_view(), name="security-detection-policy"),
    path("audit/", AuditListApi.as_view(), name="security-audit"),
    path("audit/<int:pk>", AuditDetailApi.as_view(), name="security-audit-detail"),
]
