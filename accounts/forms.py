"""Account forms. Sign-up is django-allauth's; this only adds the person's name, which the
secretariat sees next to entity registrations and join requests (enabled with the setting
``ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}``). The preferences form sets the
language of a person's e-mails.
"""

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _


class SignupForm(AllauthSignupForm):  # type: ignore[misc]  # allauth ships no type hints
    """allauth's e-mail + password sign-up, with the person's full name first."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Shown to the secretariat when you register or join an entity."),
    )
    field_order = ["full_name", "email", "password1", "password2"]

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your name."), code="required")
        return name

    def signup(self, request: HttpRequest, user: Any) -> None:
        """allauth's hook, called once the user row exists (inside its sign-up flow)."""
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])


def _language_choices() -> list[tuple[str, str]]:
    # Each language in its own name, as the language menu shows them: a person who cannot read
    # the page's language can still find theirs.
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class PreferencesForm(forms.Form):
    """The language of a person's e-mails. The service checks it again before saving."""

    language = forms.ChoiceField(
        label=_("Language of your e-mails"),
        choices=_language_choices,
        help_text=_(
            "Notifications about your pledges, entities and account are written in this language."
        ),
    )
