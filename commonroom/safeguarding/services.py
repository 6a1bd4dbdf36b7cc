"""Every write of acceptable use: publishing a new version of a policy, and accepting one.

Each function takes the acting user, checks with ``authz``, validates, writes in one transaction and
records an audit event. A published version is never edited: a change is a new version, which
supersedes the one in force for that audience. Accepting is idempotent: accepting again keeps the
first acceptance and its time.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require
from commonroom.organisations.models import Institution
from commonroom.safeguarding.models import (
    BODY_MAX,
    TITLE_MAX,
    AcceptableUseAcceptance,
    AcceptableUsePolicy,
    Audience,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Plain text with Unix line endings, no control characters, no trailing spaces, trimmed."""
    text = _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def policy_publish(*, actor: Actor, institution: Institution, audience: str, title: str,
                   body: str) -> AcceptableUsePolicy:
    """Publish the next version of ``institution``'s policy for ``audience``; the one in force is superseded."""
    require(actor, "acceptable_use_manage", institution)
    errors: dict[str, list[str]] = {}
    if audience not in Audience.values:
        errors["audience"] = [_("Choose who the policy is for: staff, learners, or parents and carers.")]
    title = " ".join(clean_text(title).split())
    body = clean_text(body)
    if not title:
        errors["title"] = [_("Give the policy a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("The title must be %(n)s characters or fewer.") % {"n": TITLE_MAX}]
    if not body:
        errors["body"] = [_("Write the policy.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("The policy must be %(n)s characters or fewer (it has %(has)s).")
                          % {"n": f"{BODY_MAX:,}", "has": f"{len(body):,}"}]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            versions = list(AcceptableUsePolicy.objects.select_for_update()
                            .filter(institution=institution, audience=audience).only("pk", "version", "superseded_at"))
            previous = [row for row in versions if row.superseded_at is None]
            number = max((row.version for row in versions), default=0) + 1
            AcceptableUsePolicy.objects.filter(pk__in=[row.pk for row in previous]).update(superseded_at=now)
            policy = AcceptableUsePolicy.objects.create(
                institution=institution, audience=audience, version=number, title=title, body=body, published_at=now,
                published_by_id=actor.person_id)
            audit.record(actor, "acceptable_use.published", policy, institution_id=institution.pk,
                         detail={"audience": audience, "version": number,
                                 "superseded": [row.pk for row in previous]})
    except IntegrityError:
        raise ValidationError(_("Someone published a version of this policy at the same moment. "
                                "Look at the latest version and publish again if it is still needed.")) from None
    return policy


def policy_accept(*, actor: Actor, policy: AcceptableUsePolicy) -> AcceptableUseAcceptance:
    """The actor accepts the policy version in force for an audience they belong to. Accepting again
    changes nothing and returns the first acceptance."""
    require(actor, "accept", policy)
    if actor.person_id is None:  # the rule already refuses; this keeps the type checker honest
        raise NotFound()
    existing = AcceptableUseAcceptance.objects.filter(policy=policy, person_id=actor.person_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            acceptance = AcceptableUseAcceptance.objects.create(
                institution_id=policy.institution_id, policy=policy, person_id=actor.person_id,
                accepted_at=timezone.now())
            audit.record(actor, "acceptable_use.accepted", acceptance, institution_id=policy.institution_id,
                         detail={"policy": policy.pk, "audience": policy.audience, "version": policy.version})
    except IntegrityError:  # accepted twice at once (two tabs): the first one stands
        return AcceptableUseAcceptance.objects.get(policy=policy, person_id=actor.person_id)
    return acceptance
