"""Admin support shared by every app: a service's validation error reaches the operator."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

_REJECTION = "_service_rejection"


class ServiceValidationAdminMixin:
    """For a ModelAdmin whose ``save_model`` calls a service that may raise ``ValidationError``.

    Django's admin validates the form, then calls ``save_model`` and reports success; an error
    raised there would be a 500, and one caught there would still be followed by "changed
    successfully". Here the error rolls the whole save back (the change view's transaction) and
    the form is shown again, bound to what the operator entered, with the service's error on
    the fields it names and no success message.
    """

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
        except ValidationError as exc:
            if request.method != "POST" or getattr(request, _REJECTION, None) is not None:
                raise
            setattr(request, _REJECTION, exc)
            return super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        rejection: ValidationError | None = getattr(request, _REJECTION, None)
        if rejection is None:
            return form_class
        return type(form_class.__name__, (_RejectedFormMixin, form_class), {"rejection": rejection})


class _RejectedFormMixin(forms.BaseForm):
    rejection: ValidationError

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if hasattr(self.rejection, "error_dict"):
            for field, errors in self.rejection.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, self.rejection.messages)
        return cleaned
