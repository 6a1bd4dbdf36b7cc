"""Background work for accounts: delivering email without holding up the page that caused it."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def deliver_email(*, subject: str, body: str, from_email: str, to: list[str], html: str = "") -> int:
    """Send one rendered message. Retried by the worker's backend policy; sending is the only effect."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
