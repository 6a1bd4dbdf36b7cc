"""Text messages: one small interface, three backends, chosen by ``COMMONROOM_SMS_BACKEND``.

A backend is a class with ``send(to, body, reference) -> provider_ref``. ``to`` is a normalised UK
mobile number (+447...), ``reference`` our delivery id (the provider stores it, so a send can be traced
after a crash). A failure raises ``SmsError`` with a message the office can read.

- ``ConsoleBackend`` (development): prints the message.
- ``LocmemBackend`` (tests): appends to ``outbox``, like Django's locmem email backend.
- ``NotifyBackend``: GOV.UK Notify, through ``notifications-python-client``. Settings:
  ``GOVUK_NOTIFY_API_KEY`` and ``GOVUK_NOTIFY_SMS_TEMPLATE_ID`` (a template whose whole text is
  ``((body))``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "commonroom.notifications.sms.ConsoleBackend"
MAX_BODY = 612  # four text-message parts


class SmsError(Exception):
    """The provider did not accept the message. The text says why, for the office."""


class SmsBackend(Protocol):
    def send(self, to: str, body: str, reference: str) -> str: ...


def normalise_mobile(raw: str) -> str | None:
    """A UK mobile number as +447XXXXXXXXX, or None if ``raw`` is not one."""
    digits = re.sub(r"[^\d+]", "", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+44"):
        digits = "0" + digits[3:].removeprefix("0")
    if re.fullmatch(r"07\d{9}", digits):
        return "+44" + digits[1:]
    return None


@dataclass
class SentSms:
    to: str
    body: str
    reference: str


class ConsoleBackend:
    def send(self, to: str, body: str, reference: str) -> str:
        sys.stdout.write(f"SMS to {to} (ref {reference}):\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return f"console-{reference}"


class LocmemBackend:
    """Keeps messages in ``LocmemBackend.outbox``. Set ``fail_with`` to a message to make every send fail."""

    outbox: list[SentSms] = []
    fail_with: str | None = None

    def send(self, to: str, body: str, reference: str) -> str:
        if LocmemBackend.fail_with:
            raise SmsError(LocmemBackend.fail_with)
        LocmemBackend.outbox.append(SentSms(to, body, reference))
        return f"locmem-{reference}"


class NotifyBackend:
    def __init__(self, client: Any = None) -> None:
        self.template_id = getattr(settings, "GOVUK_NOTIFY_SMS_TEMPLATE_ID", "")
        if client is None:
            from notifications_python_client.notifications import NotificationsAPIClient

            key = getattr(settings, "GOVUK_NOTIFY_API_KEY", "")
            if not key or not self.template_id:
                raise SmsError("GOV.UK Notify is not configured: set GOVUK_NOTIFY_API_KEY and GOVUK_NOTIFY_SMS_TEMPLATE_ID.")
            client = NotificationsAPIClient(key)
        self.client = client

    def send(self, to: str, body: str, reference: str) -> str:
        from notifications_python_client.errors import APIError

        try:
            response = self.client.send_sms_notification(
                phone_number=to, template_id=self.template_id, personalisation={"body": body}, reference=reference,
            )
        except APIError as error:
            raise SmsError(f"GOV.UK Notify refused the message ({error.status_code}): {error.message}") from error
        except Exception as error:  # network failures and the like: the delivery is retried
            raise SmsError(f"GOV.UK Notify could not be reached: {error}") from error
        return str((response or {}).get("id", ""))


def get_backend() -> SmsBackend:
    path = getattr(settings, "COMMONROOM_SMS_BACKEND", DEFAULT_BACKEND) or DEFAULT_BACKEND
    backend: SmsBackend = import_string(path)()
    return backend


def send(to: str, body: str, reference: str) -> str:
    """Send one text through the configured backend; raises ``SmsError`` on failure."""
    return get_backend().send(to, body[:MAX_BODY], reference)
