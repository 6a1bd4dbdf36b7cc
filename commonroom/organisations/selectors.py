"""Reads of institutions and authorities, scoped by authz."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from commonroom.authz.actor import Actor
from commonroom.authz.api import get_for, visible
from commonroom.authz.models import RoleAssignment
from commonroom.common.dates import in_force
from commonroom.organisations.models import Institution, LocalAuthority


def institution_list(actor: Actor) -> QuerySet[Institution]:
    return visible(actor, Institution).select_related("local_authority").order_by("name")


def institutions_with_counts(actor: Actor, *, local_authority_ids: frozenset[int] | set[int] | None = None) -> list[Institution]:
    """Visible institutions, each with the number of learners enrolled today, in one query."""
    institutions = visible(actor, Institution).select_related("local_authority")
    if local_authority_ids is not None:
        institutions = institutions.filter(local_authority_id__in=sorted(local_authority_ids))
    return list(
        institutions.annotate(
            learner_count=Count(
                "people_enrolment_set",
                filter=Q(people_enrolment_set__start_date__lte=actor.on)
                & (Q(people_enrolment_set__end_date__isnull=True) | Q(people_enrolment_set__end_date__gte=actor.on)),
            )
        ).order_by("phase", "name")
    )


@dataclass
class AuthorityOverview:
    authority: LocalAuthority
    institutions: list[Institution]
    by_phase: list[dict[str, Any]]
    total_learners: int


def authority_overviews(actor: Actor) -> list[AuthorityOverview]:
    """For a local-authority officer: each of their authorities, its institutions and learners by phase."""
    authorities = list(visible(actor, LocalAuthority).filter(pk__in=sorted(actor.authorities_where("la_officer"))))
    if not authorities:
        return []
    institutions = institutions_with_counts(actor, local_authority_ids={la.pk for la in authorities})
    grouped: dict[int, list[Institution]] = defaultdict(list)
    for institution in institutions:
        grouped[institution.local_authority_id].append(institution)  # type: ignore[index]
    overviews = []
    for authority in authorities:
        mine = grouped.get(authority.pk, [])
        phases: dict[str, dict[str, Any]] = {}
        for institution in mine:
            row = phases.setdefault(
                institution.phase, {"phase": institution.get_phase_display(), "institutions": 0, "learners": 0}
            )
            row["institutions"] += 1
            row["learners"] += institution.learner_count  # type: ignore[attr-defined]
        overviews.append(
            AuthorityOverview(
                authority=authority,
                institutions=mine,
                by_phase=list(phases.values()),
                total_learners=sum(row["learners"] for row in phases.values()),
            )
        )
    return overviews


def staff_by_role(actor: Actor, institution_id: int) -> list[dict[str, Any]]:
    """Staff at an institution grouped by role, from the role assignments the actor may see."""
    rows = (
        visible(actor, RoleAssignment)
        .filter(in_force(on=actor.on), institution_id=institution_id)
        .select_related("person")
        .order_by("role", "person__family_name", "person__given_name")
    )
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = grouped.setdefault(row.role, {"role": row.get_role_display(), "people": []})
        entry["people"].append(row.person)
    return list(grouped.values())


def institution_for(actor: Actor, institution_id: Any) -> Institution:
    return get_for(actor, Institution, institution_id, queryset=Institution.objects.select_related("local_authority"))
