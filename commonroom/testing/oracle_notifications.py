"""Who may reach the alert pages and API in the persona world, from the world's description alone."""

from __future__ import annotations

from commonroom.testing.oracle import CHILDREN, OFFICE, split


def may_manage_alerts(persona: str, inst: str) -> bool:
    """The head, a senior leader or the office of the institution."""
    p_inst, p_role = split(persona)
    return p_inst == inst and p_role in OFFICE


def is_contact(persona: str, _target: str = "") -> bool:
    """Has at least one child whose link is in force and not barred (parent.barred has none)."""
    return bool(CHILDREN.get(persona))
