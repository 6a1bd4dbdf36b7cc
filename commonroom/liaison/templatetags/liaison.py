"""Template helpers for pages outside liaison that show what families reported."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def reported_for(notes: dict[int, str] | None, learner_id: int) -> str:
    """The parent's reported reason for this learner on a register, or ""."""
    return (notes or {}).get(learner_id, "")
