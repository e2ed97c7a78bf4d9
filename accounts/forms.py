"""The admin's sign-in form: photographers sign in with their e-mail address."""

from django import forms
from django.contrib.auth import get_user_model
from wagtail.admin.forms.auth import LoginForm


class EmailLoginForm(LoginForm):
    """Wagtail's login form, asking for the e-mail address the account was made with.

    Accounts are created with the e-mail as their username (studio_settings.team, provisioning), so the
    address is mapped to that username case-insensitively; authentication itself stays Django's (and axes').
    """

    username = forms.EmailField(
        label="E-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
        error_messages={"invalid": "Enter the e-mail address you sign in with."},
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs["placeholder"] = "Enter your e-mail address"

    def clean_username(self):
        email = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(email__iexact=email).only("username").first()
        return user.username if user else email

    def get_invalid_login_error(self):
        return forms.ValidationError(
            "Your e-mail address and password didn't match. Please try again.", code="invalid_login"
        )
