"""Every write of the self-review app: loading frameworks, starting, answering and completing reviews."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import can, require
from commonroom.authz.models import INSTITUTION_ROLES
from commonroom.common.dates import in_force, today
from commonroom.organisations.models import Institution
from commonroom.people.models import Person
from commonroom.selfreview.loader import FRAMEWORK_DIR, FrameworkData, FrameworkFileError, read_framework_file
from commonroom.selfreview.models import (
    LEVELS,
    Aspect,
    AspectAnswer,
    Element,
    ElementAssignment,
    Framework,
    Review,
    Strand,
)

# --- Frameworks -------------------------------------------------------------------------------


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    status_changed: list[str] = field(default_factory=list)
    measures_changed: list[str] = field(default_factory=list)
    errors: list[FrameworkFileError] = field(default_factory=list)


def _store(data: FrameworkData) -> Framework:
    framework = Framework.objects.create(
        slug=data.slug, version=data.version, name=data.name, description=data.description, audience=data.audience,
        scale=data.scale, status=data.status, source_file=data.source_file, checksum=data.checksum,
    )
    for element_data in data.elements:
        element = Element.objects.create(framework=framework, number=element_data.number, name=element_data.name)
        for s_pos, strand_data in enumerate(element_data.strands):
            strand = Strand.objects.create(element=element, code=strand_data.code, name=strand_data.name, position=s_pos)
            Aspect.objects.bulk_create([
                Aspect(strand=strand, element=element, code=a.code, title=a.title, threshold=a.threshold,
                       descriptors=a.descriptors, measures=a.measures, position=a_pos)
                for a_pos, a in enumerate(strand_data.aspects)
            ])
    return framework


def framework_load_one(*, actor: Actor, data: FrameworkData) -> str:
    """Load one parsed framework version. Returns "created", "unchanged" or "status". A version already
    loaded with different content is refused: publish a new version instead."""
    with transaction.atomic():
        existing = Framework.objects.select_for_update().filter(slug=data.slug, version=data.version).first()
        if existing is None:
            framework = _store(data)
            audit.record(actor, "selfreview.framework.load", framework, detail={"slug": data.slug, "version": data.version})
            return "created"
        if existing.checksum != data.checksum:
            raise FrameworkFileError(data.source_file, None, _(
                "version %(version)s of %(slug)s is already loaded with different content: a published version does "
                "not change, so give the changes a new version number") % {"version": data.version, "slug": data.slug})
        outcome = "unchanged"
        wanted = {a.code: a.measures for e in data.elements for s in e.strands for a in s.aspects}
        for aspect in Aspect.objects.filter(element__framework=existing):
            if aspect.measures != wanted.get(aspect.code, []):
                aspect.measures = wanted.get(aspect.code, [])
                aspect.save(update_fields=["measures"])
                outcome = "measures"
        if outcome == "measures":
            audit.record(actor, "selfreview.framework.measures", existing, detail={"slug": data.slug, "version": data.version})
        if existing.status != data.status:
            existing.status = data.status
            existing.save(update_fields=["status", "updated_at"])
            audit.record(actor, "selfreview.framework.status", existing, detail={"status": data.status})
            return "status"
        return outcome


def frameworks_load(*, actor: Actor, directory: Path | None = None) -> LoadReport:
    """Load every ``*.toml`` framework file in ``directory`` (the shipped ones by default). Each file is
    all-or-nothing; a bad file is reported (file and line) and the others still load. Idempotent."""
    report = LoadReport()
    for path in sorted((directory or FRAMEWORK_DIR).glob("*.toml")):
        try:
            data = read_framework_file(path)
            outcome = framework_load_one(actor=actor, data=data)
        except FrameworkFileError as error:
            report.errors.append(error)
            continue
        label = f"{data.slug} v{data.version}"
        {"created": report.created, "unchanged": report.unchanged, "status": report.status_changed,
         "measures": report.measures_changed}[outcome].append(label)
    return report


def framework_withdraw(*, actor: Actor, framework: Framework) -> Framework:
    """Withdraw a version: no new reviews against it; earlier reviews stay readable. (The platform
    administrator or a command; the shipped files say the same with ``status = "withdrawn"``.)"""
    if not (actor.is_system or actor.is_platform_admin):
        raise ValidationError(_("Only the platform administrator withdraws a framework version."))
    with transaction.atomic():
        framework.status = Framework.Status.WITHDRAWN
        framework.save(update_fields=["status", "updated_at"])
        audit.record(actor, "selfreview.framework.withdraw", framework)
    return framework


# --- Reviews ----------------------------------------------------------------------------------


def review_start(*, actor: Actor, institution: Institution, framework: Framework, title: str = "",
                 started_on: datetime.date | None = None) -> Review:
    """A head or senior leader starts a review of their institution against a published framework version."""
    require(actor, "start_self_review", institution)
    if framework.is_withdrawn:
        raise ValidationError({"framework": _("This version has been withdrawn: choose a published one.")})
    started_on = started_on or today()
    assert actor.person_id is not None  # leaders are people
    with transaction.atomic():
        review = Review.objects.create(
            institution=institution, framework=framework, started_by_id=actor.person_id, started_on=started_on,
            title=(title.strip() or f"{framework.name} {started_on:%B %Y}")[:200],
        )
        AspectAnswer.objects.bulk_create([
            AspectAnswer(institution=institution, review=review, aspect_id=aspect_id, element_id=element_id)
            for aspect_id, element_id in Aspect.objects.filter(element__framework=framework).values_list("pk", "element_id")
        ])
        audit.record(actor, "selfreview.review.start", review, institution_id=institution.pk,
                     detail={"framework": framework.slug, "version": framework.version})
    return review


def colleagues_of(institution_id: int) -> list[Person]:
    """People with a role at the institution today: who may be assigned an element."""
    from commonroom.authz.models import RoleAssignment

    ids = RoleAssignment.objects.filter(in_force(), institution_id=institution_id,
                                        role__in=sorted(INSTITUTION_ROLES)).values("person_id")
    return list(Person.objects.filter(pk__in=ids).order_by("family_name", "given_name"))


def element_assign(*, actor: Actor, review: Review, element: Element, person: Person | None) -> ElementAssignment | None:
    """Assign an element to a colleague (``person=None`` removes the assignment)."""
    require(actor, "edit", review)
    assert actor.person_id is not None  # leaders are people
    if element.framework_id != review.framework_id:
        raise ValidationError({"element": _("That element is not part of this review's framework.")})
    with transaction.atomic():
        ElementAssignment.objects.filter(institution_id=review.institution_id, review=review, element=element).delete()
        if person is None:
            audit.record(actor, "selfreview.element.unassign", review, institution_id=review.institution_id,
                         detail={"element": element.number})
            return None
        if person.pk not in {p.pk for p in colleagues_of(review.institution_id)}:
            raise ValidationError({"person": _("Choose someone who works at the institution.")})
        assignment = ElementAssignment.objects.create(institution_id=review.institution_id, review=review, element=element,
                                                      person=person, assigned_by_id=actor.person_id)
        audit.record(actor, "selfreview.element.assign", review, institution_id=review.institution_id,
                     detail={"element": element.number, "person": person.pk})
    return assignment


_URL = URLValidator(schemes=["http", "https"])


def parse_evidence(lines: str | list[Any]) -> list[dict[str, str]]:
    """Evidence from a form (one item a line) or the API (a list of strings or dicts): a line starting
    ``http://`` or ``https://`` is a link, anything else a note naming a record. Other schemes are refused."""
    raw: list[Any] = lines.splitlines() if isinstance(lines, str) else list(lines)
    items: list[dict[str, str]] = []
    for number, entry in enumerate(raw, start=1):
        if isinstance(entry, dict) and entry.get("kind") == "measure":
            continue  # platform figures are attached with evidence.evidence_attach and kept by answer_save
        if isinstance(entry, dict):
            text = str(entry.get("url") or entry.get("text") or "").strip()
        else:
            text = str(entry).strip()
        if not text:
            continue
        if len(text) > 500:
            raise ValidationError({"evidence": _("Item %(n)s is longer than 500 characters.") % {"n": number}})
        lowered = text.lower()
        if lowered.startswith(("http://", "https://")):
            try:
                _URL(text)
            except ValidationError:
                raise ValidationError({"evidence": _("Item %(n)s is not a valid web address.") % {"n": number}}) from None
            items.append({"kind": "link", "url": text})
        elif "://" in text.split()[0] or lowered.startswith(("javascript:", "data:", "vbscript:")):
            raise ValidationError({"evidence": _("Item %(n)s: links must start with http:// or https://.") % {"n": number}})
        else:
            items.append({"kind": "note", "text": text})
    if len(items) > 30:
        raise ValidationError({"evidence": _("Up to 30 items of evidence per aspect.")})
    return items


class StaleAnswer(Exception):
    """Someone saved this aspect since the form was opened. ``current`` is their answer."""

    def __init__(self, current: AspectAnswer) -> None:
        self.current = current
        super().__init__("stale")


def answer_save(*, actor: Actor, answer: AspectAnswer, level: int | None, notes: str, evidence: str | list[Any],
                seen_version: int) -> AspectAnswer:
    """Save one aspect's answer, if nobody saved it since ``seen_version`` (else ``StaleAnswer``)."""
    require(actor, "change", answer)
    if level is not None and level not in LEVELS:
        raise ValidationError({"level": _("Choose a level from 1 to 5.")})
    notes = (notes or "").strip()
    if len(notes) > 5000:
        raise ValidationError({"notes": _("Notes can be up to 5,000 characters.")})
    items = parse_evidence(evidence)
    with transaction.atomic():
        # Platform figures attached to the answer stay: they are not part of what the form sends.
        stored = AspectAnswer.objects.select_for_update().filter(pk=answer.pk).values_list("evidence", flat=True).first()
        kept = [i for i in stored or [] if isinstance(i, dict) and i.get("kind") == "measure"]
        changed = AspectAnswer.objects.filter(pk=answer.pk, version=seen_version).update(
            level=level, notes=notes, evidence=items + kept, version=F("version") + 1, updated_by_id=actor.person_id,
        )
        fresh = AspectAnswer.objects.select_related("aspect", "updated_by").get(pk=answer.pk)
        if not changed:
            raise StaleAnswer(fresh)
        audit.record(actor, "selfreview.answer.save", fresh, institution_id=fresh.institution_id,
                     detail={"review": fresh.review_id, "aspect": fresh.aspect.code, "level": level, "version": fresh.version})
    return fresh


def review_complete(*, actor: Actor, review: Review, completed_on: datetime.date | None = None) -> Review:
    """A head or senior leader completes the review: every aspect needs a level. It is then read-only."""
    require(actor, "edit", review)
    missing = list(review.answers.filter(level__isnull=True).values_list("aspect__code", flat=True)[:6])
    if missing:
        raise ValidationError(_("Choose a level for every aspect first. Still to do: %(codes)s") % {
            "codes": ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")})
    with transaction.atomic():
        updated = Review.objects.filter(pk=review.pk, status=Review.Status.IN_PROGRESS).update(
            status=Review.Status.COMPLETED, completed_on=completed_on or today(), completed_by_id=actor.person_id)
        if not updated:
            raise ValidationError(_("This review is already completed."))
        review.refresh_from_db()
        audit.record(actor, "selfreview.review.complete", review, institution_id=review.institution_id)
    return review


def can_edit_answer(actor: Actor, answer: AspectAnswer) -> bool:
    return can(actor, "change", answer)
