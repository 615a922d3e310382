from django.urls import path

from apps.gateway import apis

urlpatterns = [
    path("chat/completions", apis.chat_completions, name="openai-chat-completions"),
    path("responses", apis.responses, name="openai-responses"),
    path("embeddings", apis.embeddings, name="openai-embeddings"),
    path("models", apis.models, name="openai-models"),
    # model ids may hold "/" or ":" (e.g. "org/model", "llama3:8b")
    path("models/<path:model_id>", apis.model_detail, name="openai-model-detail"),
]
