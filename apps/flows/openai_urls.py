from django.urls import path

from apps.flows.openai_api import ChatCompletionsApi, ModelsApi

urlpatterns = [
    path("chat/completions", ChatCompletionsApi.as_view(), name="openai-chat-completions"),
    path("models", ModelsApi.as_view(), name="openai-models"),
]
