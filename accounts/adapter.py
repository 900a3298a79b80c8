"""allauth adapter: the per-IP log-in limit spares browsers an account has logged in from.

Many people share one address (an office proxy, a ministry's NAT). allauth's per-IP limit on
failed log-ins refuses every log-in from an address that failed too often, the right password
included, so one person guessing shut out the whole office. Letting any right password through
would let a password sprayer try one common password on every account regardless of the limit,
so instead a successful log-in leaves a signed "device cookie" for that account (OWASP's
device-cookie defence): log-ins from a browser that carries one for the account typed are exempt
from the per-IP limit. Strangers, and colleagues on a browser that never logged in, still count
against it. The per-account lock-out (`login_failed`, per key) applies to everyone.

A person's preferred language starts as the language of the page they sign up on, and allauth's
own mails (confirmation, password reset, log-in codes) are written in it, and their links open
the site in it, whatever the language of the page that triggered them; a mail to an address with
no account follows the page.
"""

import datetime as dt
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import translate_url
from django.utils import translation
from django.utils.crypto import salted_hmac

from .models import User
from .services import supported_language

DEVICE_COOKIE = "trusted_login"
DEVICE_COOKIE_SALT = "accounts.adapter.device-cookie"
DEVICE_COOKIE_AGE = dt.timedelta(days=180)
DEVICE_COOKIE_ACCOUNTS = 5  # a shared browser remembers this many accounts, newest first
IP_LIMIT_ACTION = "login_failed_ip"  # ACCOUNT_RATE_LIMITS key of the per-IP limit
# Links in allauth's mails, which should open the site in the language the mail is written in.
LINKS_IN_MAILS = ("activate_url", "password_reset_url", "signup_url")


def _account_tag(email: str) -> str:
    # Keyed digest: the cookie names accounts without showing their addresses.
    return salted_hmac(DEVICE_COOKIE_SALT, email.strip().lower()).hexdigest()[:24]


def _trusted_tags(request: HttpRequest) -> list[str]:
    value = request.get_signed_cookie(
        DEVICE_COOKIE,
        default="",
        salt=DEVICE_COOKIE_SALT,
        max_age=DEVICE_COOKIE_AGE,
    )
    return [tag for tag in (value or "").split(",") if tag]


def is_trusted_device(request: HttpRequest, email: str) -> bool:
    """Whether this browser has logged in as `email` before (within the cookie's age)."""
    return bool(email) and _account_tag(email) in _trusted_tags(request)


# Where the secretariat lands after logging in (without a `next`): its review queues, which is
# what it logs in for; everybody else lands on LOGIN_REDIRECT_URL (their pledges).
SECRETARIAT_LANDING = "pledges:review-queue"
REVIEW_PERMISSION = "pledges.review_pledge"


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth ships no type hints
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.has_perm(REVIEW_PERMISSION):
            return resolve_url(SECRETARIAT_LANDING)
        return str(super().get_login_redirect_url(request))

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user.language = supported_language(translation.get_language())
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        user = context.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).first()
        language = user.language if user else supported_language(translation.get_language())
        # The links were made in the page's language; resolving them needs it still active.
        for name in LINKS_IN_MAILS:
            if name in context:
                context = {**context, name: translate_url(context[name], language)}
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject: str) -> str:
        # The site's name in the recipient's language (`send_mail` made it active), not the
        # fixed English ACCOUNT_EMAIL_SUBJECT_PREFIX.
        return f"[{translation.gettext('Compact Pledge Tracker')}] {subject}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        self._ip_limit_usage = None
        if not is_trusted_device(request, credentials.get("email") or ""):
            # Counted before checking the password (so parallel guesses cannot overrun it) and
            # given back on success, as allauth does with its own limits.
            usage = ratelimit.consume(request, app="allauth.account", action=IP_LIMIT_ACTION)
            if not usage:
                raise self.validation_error("too_many_login_attempts")
            self._ip_limit_usage = usage
        super().pre_authenticate(request, **credentials)

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        user = super().authenticate(request, **credentials)
        usage = getattr(self, "_ip_limit_usage", None)
        if user and usage:
            usage.rollback()
        return user

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        tags = [_account_tag(user.email)]
        tags += [t for t in _trusted_tags(request) if t != tags[0]]
        response.set_signed_cookie(
            DEVICE_COOKIE,
            ",".join(tags[:DEVICE_COOKIE_ACCOUNTS]),
            salt=DEVICE_COOKIE_SALT,
            max_age=int(DEVICE_COOKIE_AGE.total_seconds()),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response
