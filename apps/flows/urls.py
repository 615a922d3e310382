from django.urls import path

from apps.flows.apis import FlowRunApi, JobApi, NotaryRecordApi

urlpatterns = [
    path("flows/notary/<uuid:record_id>", NotaryRecordApi.as_view(), name="flows-notary-record"),
    path("flows/<str:flow>", FlowRunApi.as_view(), name="flows-run"),
    path("jobs/<uuid:job_id>", JobApi.as_view(), name="flows-job"),
]
