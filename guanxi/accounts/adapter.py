from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from guanxi.accounts import signin
from guanxi.core.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by administrators; nobody signs up on their own. Password
    attempts are throttled by ``guanxi.accounts.signin``."""

    error_messages = DefaultAccountAdapter.error_messages | {
        "too_many_login_attempts": _(
            "Too many failed sign-ins. Wait a few minutes, sign in from a browser you have "
            "used before, or reset your password by e-mail."),
    }

    def is_open_for_signup(self, request) -> bool:
        return False

    def login(self, request, user) -> None:
        super().login(request, user)
        request.session["guanxi_language"] = user.language

    def get_client_ip(self, request: HttpRequest) -> str:
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address")
        return address

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        user = signin.account_for(credentials)
        self._guanxi_user = user
        self._login_failed_rl_usage = signin.consume(request, user,
                                                     signin.typed_login(credentials))
        if not self._login_failed_rl_usage:
            raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        signin.record_failure(request, credentials, getattr(self, "_guanxi_user", None))

    def _delete_login_attempts_cached_email(self, request: HttpRequest,
                                            **credentials: Any) -> None:
        # A password reset lifts the lock-out through the password_reset signal instead.
        pass

    def post_login(self, request: HttpRequest, user, **kwargs: Any) -> HttpResponseBase:
        response = super().post_login(request, user, **kwargs)
        signin.remember_device(response, user)
        return response
