from django.urls import path

from apps.agents.apis import AgentChatApi, ConversationApi

urlpatterns = [
    path("chat", AgentChatApi.as_view(), name="agents-chat"),
    path(
        "conversations/<int:conversation_id>",
        ConversationApi.as_view(),
        name="agents-conversation",
    ),
]
