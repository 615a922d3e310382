from django.urls import path

from apps.gateway import apis

urlpatterns = [
    path("chat/completions", apis.chat_completions, name="openai-chat-completions"),
    path("models", apis.models, name="openai-models"),
]
