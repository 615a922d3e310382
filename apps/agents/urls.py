from django.urls import path

from apps.agents.apis import AgentChatApi, ConversationApi, DocumentListCreateApi

urlpatterns = [
    path("chat", AgentChatApi.as_view(), name="agents-chat"),
    path("documents", DocumentListCreateApi.as_view(), name="agents-documents"),
    path(
        "conversations/<int:conversation_id>",
        ConversationApi.as_view(),
        name="agents-conversation",
    ),
]
