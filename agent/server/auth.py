"""Staff sessions: a signed, expiring cookie (itsdangerous) naming the account, plus a per-session
CSRF token every form posts back.

The cookie holds the username, a random session id and the CSRF token — no PHI. The account is
re-read from the database on every request, so disabling an account ends its sessions at once.
Cookies are HttpOnly and SameSite=Strict; set PRACTICE_SESSION_COOKIE_SECURE=true behind TLS.
SSO: a practice's OIDC provider signs people in instead of the password form (docs/SECURITY.md);
the roles and scopes below stay the same.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from agent.settings import Settings
from agent.store.crypto import load_or_create_secret
from agent.store.staff import StaffAccount, StaffDirectory

COOKIE = "practice_session"


class NotSignedIn(Exception):
    """No valid session: pages redirect to the sign-in form."""


class Forbidden(Exception):
    """Signed in, but this role may not do this."""


class CsrfError(Exception):
    """A form post without this session's CSRF token."""


class Sessions:
    def __init__(self, settings: Settings, staff: StaffDirectory):
        if settings.session_secret is not None:
            secret = settings.session_secret.get_secret_value().encode()
        else:
            secret = base64.urlsafe_b64encode(
                load_or_create_secret(settings.data_dir / "keys" / "session.key"))
        self.serializer = URLSafeTimedSerializer(secret, salt="practice-staff-session")
        self.max_age = settings.session_max_age_s
        self.secure = settings.session_cookie_secure
        self.staff = staff

    def issue(self, account: StaffAccount) -> tuple[str, str]:
        """A new session cookie value and its CSRF token."""
        csrf = secrets.token_urlsafe(24)
        token = self.serializer.dumps({"u": account.username, "s": secrets.token_urlsafe(12),
                                       "c": csrf})
        return token, csrf

    def session(self, request: Request) -> dict[str, Any]:
        raw = request.cookies.get(COOKIE)
        if not raw:
            raise NotSignedIn()
        try:
            data = self.serializer.loads(raw, max_age=self.max_age)
        except BadSignature:
            raise NotSignedIn() from None
        return data

    def account(self, request: Request) -> tuple[StaffAccount, str]:
        """The signed-in, still-active account and its session's CSRF token."""
        data = self.session(request)
        account = self.staff.get(data["u"])
        if account is None or not account.active:
            raise NotSignedIn()
        return account, data["c"]

    @staticmethod
    def check_csrf(expected: str, offered: str | None) -> None:
        if not offered or not hmac.compare_digest(expected, offered):
            raise CsrfError()

    def set_cookie(self, response, token: str) -> None:
        response.set_cookie(COOKIE, token, max_age=self.max_age, httponly=True,
                            samesite="strict", secure=self.secure, path="/")
