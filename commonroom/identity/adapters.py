from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from commonroom.identity.tasks import deliver_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:  # type: ignore[no-untyped-def]
        """No open sign-up: staff accounts are made by administrators, parents join by invitation."""
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render now (the request is at hand), send from the background worker once the request commits."""
        message = self.render_mail(template_prefix, email, context)
        html = next((content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        subject, body, from_email = str(message.subject), str(message.body), str(message.from_email)
        to = [str(address) for address in message.to]
        transaction.on_commit(
            lambda: deliver_email.enqueue(subject=subject, body=body, from_email=from_email, to=to, html=str(html))
        )
