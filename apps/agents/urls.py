from django.urls import path

from apps.agents.apis import AgentChatApi

urlpatterns = [
    path("chat", AgentChatApi.as_view(), name="agents-chat"),
]
