from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse


class ConsoleAdminSite(admin.AdminSite):
    site_header = "AgentHub console"
    site_title = "AgentHub"
    index_title = "Dashboard"
    # "View site": AgentHub has no public site at "/"; its API documentation is the front page.
    site_url = "/api/docs/"

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        from apps.console.selectors import dashboard

        context = {"dashboard": dashboard(), **(extra_context or {})}
        return super().index(request, context)
