from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:  # type: ignore[no-untyped-def]
        """No open sign-up: staff accounts are made by administrators, parents join by invitation."""
        return False
