"""Every write of the resources app: making, changing and withdrawing resources, rating, copying,
placing resources in course-space sections, and reusing a space's structure for another group.

Each function takes the acting user, checks with ``authz``, validates before it writes, writes in one
transaction and records an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, can, require
from commonroom.common.uploads import OFFICE_AND_IMAGES, check_upload
from commonroom.learning.models import CourseSpace, Section
from commonroom.organisations.models import Institution
from commonroom.people.models import Person
from commonroom.resources.content import embed_url, is_web_address, sanitise_page
from commonroom.resources.models import KeyStage, Rating, Resource, SectionItem
from commonroom.resources.policies import bank_institutions

MAX_TEXT = 100_000
MAX_DESCRIPTION = 5_000
ALLOWED_FILE_TYPES = OFFICE_AND_IMAGES


def max_upload_bytes() -> int:
    return int(getattr(settings, "RESOURCES_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


@dataclass
class ResourceInput:
    title: str
    kind: str
    description: str = ""
    subject: str = ""
    key_stage: str = ""
    topic: str = ""
    body: str = ""
    url: str = ""
    audience: str = Resource.Audience.PRIVATE


def _validate(data: ResourceInput, upload: UploadedFile | None, existing: Resource | None) -> tuple[dict[str, str], tuple[str, str] | None]:
    """The cleaned fields, and the checked file's (name, type), or ValidationError naming each field."""
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Give the resource a title.")]
    elif len(data.title.strip()) > 200:
        errors["title"] = [_("The title is too long: at most 200 characters.")]
    if len(data.description) > MAX_DESCRIPTION:
        errors["description"] = [_("The description is too long: at most %(n)s characters.") % {"n": MAX_DESCRIPTION}]
    for name in ("subject", "topic"):
        if len(getattr(data, name).strip()) > 100:
            errors[name] = [_("At most 100 characters.")]
    if data.key_stage and data.key_stage not in KeyStage.values:
        errors["key_stage"] = [_("Choose a key stage from the list.")]
    if data.audience not in Resource.Audience.values:
        errors["audience"] = [_("Choose who may find the resource.")]
    if data.kind not in Resource.Kind.values:
        errors["kind"] = [_("Choose a page, a file, a link or a video.")]
    elif existing is not None and existing.kind != data.kind:
        errors["kind"] = [_("A resource keeps its kind: make a new resource instead.")]
    body, url, checked = "", "", None
    if data.kind == Resource.Kind.PAGE:
        if len(data.body) > MAX_TEXT:
            errors["body"] = [_("The page is too long: at most %(n)s characters.") % {"n": MAX_TEXT}]
        else:
            body = sanitise_page(data.body)
            if not body:
                errors["body"] = [_("Write the page: it is empty (or held only what is not allowed, such as scripts).")]
    elif data.kind == Resource.Kind.LINK:
        url = data.url.strip()
        if not is_web_address(url) or len(url) > 2000:
            errors["url"] = [_("Give a web address starting http:// or https://.")]
    elif data.kind == Resource.Kind.MEDIA:
        url = data.url.strip()
        if len(url) > 2000 or embed_url(url) is None:
            errors["url"] = [_("Give the address of a YouTube or Vimeo video, for example "
                               "https://www.youtube.com/watch?v=… or https://vimeo.com/….")]
    elif data.kind == Resource.Kind.FILE:
        if upload is not None:
            try:
                checked = check_upload(upload, allowed=ALLOWED_FILE_TYPES, max_bytes=max_upload_bytes(),
                                       not_allowed=_("Files named .%(ext)s cannot be shared. Allowed: %(allowed)s."))
            except ValidationError as error:
                errors.update(error.message_dict)
        elif existing is None or not existing.file:
            errors["file"] = [_("Choose the file to share.")]
    if errors:
        raise ValidationError(errors)
    fields = {"title": data.title.strip(), "description": data.description.strip(), "subject": data.subject.strip(),
              "key_stage": data.key_stage, "topic": data.topic.strip(), "body": body, "url": url,
              "audience": data.audience}
    return fields, checked


def resource_save(*, actor: Actor, data: ResourceInput, upload: UploadedFile | None = None,
                  institution_id: int | None = None, resource: Resource | None = None) -> Resource:
    """Make a resource in the actor's bank (at ``institution_id``, or their only school), or change their own."""
    if resource is not None:
        require(actor, "manage", resource)
    else:
        schools = bank_institutions(actor)
        if not schools or actor.person_id is None:
            raise NotFound()
        if institution_id is None:
            institution_id = min(schools)
        elif institution_id not in schools:
            raise ValidationError({"institution": [_("Choose a school where you teach.")]})
    fields, checked = _validate(data, upload, resource)
    with transaction.atomic():
        creating = resource is None
        if resource is None:
            assert institution_id is not None and actor.person_id is not None
            resource = Resource(institution_id=institution_id, owner_id=actor.person_id, kind=data.kind)
        old_file = resource.file.name if resource.file else ""
        for name, value in fields.items():
            setattr(resource, name, value)
        if checked is not None and upload is not None:
            resource.file.save(checked[0], upload, save=False)
            resource.file_name, resource.file_type, resource.file_size = checked[0], checked[1], upload.size or 0
        resource.save()
        audit.record(actor, "resources.created" if creating else "resources.changed", resource,
                     institution_id=resource.institution_id, detail={"kind": resource.kind, "audience": resource.audience})
        if checked is not None and old_file:
            storage, name_to_delete = resource.file.storage, old_file
            transaction.on_commit(lambda: storage.delete(name_to_delete))
    return resource


def resource_withdraw(*, actor: Actor, resource: Resource) -> None:
    """The owner withdraws a resource: it leaves the bank, every section it was placed in and every homework
    it was attached to (the homework stays). Copies others made stay, with their credit."""
    require(actor, "manage", resource)
    with transaction.atomic():
        audit.record(actor, "resources.withdrawn", resource, institution_id=resource.institution_id,
                     detail={"title": resource.title, "placements": resource.placements.count(),
                             "homework": resource.assignment_links.count()})
        name = resource.file.name if resource.file else ""
        storage = resource.file.storage
        resource.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


def resource_rate(*, actor: Actor, resource: Resource, stars: int) -> Resource:
    """One rating per person (rating again replaces it); the average and count are kept on the resource."""
    require(actor, "rate", resource)
    if resource.owner_id == actor.person_id:
        raise ValidationError({"stars": [_("You cannot rate your own resource.")]})
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise ValidationError({"stars": [_("Choose from 1 to 5 stars.")]})
    with transaction.atomic():
        Resource.objects.select_for_update().filter(pk=resource.pk).first()
        Rating.objects.update_or_create(resource=resource, person_id=actor.person_id, defaults={"stars": stars})
        totals = Rating.objects.filter(resource=resource).values_list("stars", flat=True)
        values = list(totals)
        Resource.objects.filter(pk=resource.pk).update(rating_count=len(values), rating_total=sum(values))
        resource.rating_count, resource.rating_total = len(values), sum(values)
        audit.record(actor, "resources.rated", resource, institution_id=resource.institution_id, detail={"stars": stars})
    return resource


def credit_for(resource: Resource) -> str:
    owner = Person.objects.filter(pk=resource.owner_id).values_list("given_name", "family_name").first()
    school = Institution.objects.filter(pk=resource.institution_id).values_list("name", flat=True).first() or ""
    who = " ".join(part for part in (owner or ("", "")) if part) or _("a teacher")
    credit = _("Adapted from ‘%(title)s’ by %(who)s, %(school)s") % {"title": resource.title, "who": who, "school": school}
    if resource.credit:
        credit += f" ({resource.credit})"
    return credit[:500]


def resource_copy(*, actor: Actor, resource: Resource, section: Section | None = None,
                  institution_id: int | None = None) -> Resource:
    """Copy a resource into the actor's bank (at the section's school when a section is given, and placed
    in that section) to adapt it. The copy is private, records the original's id and a credit frozen
    now, and has its own copy of the file."""
    require(actor, "copy", resource)
    schools = bank_institutions(actor)
    if section is not None:
        require(actor, "manage", section)
        institution_id = section.institution_id
    if not schools or actor.person_id is None:
        raise NotFound()
    if institution_id is None:
        institution_id = min(schools)
    if institution_id not in schools:
        raise ValidationError({"section_id": [_("You can copy only into a course space of a school where you teach.")]})
    with transaction.atomic():
        copy = Resource(
            institution_id=institution_id, owner_id=actor.person_id, title=resource.title,
            description=resource.description, subject=resource.subject, key_stage=resource.key_stage,
            topic=resource.topic, kind=resource.kind, body=resource.body, url=resource.url,
            file_name=resource.file_name, file_type=resource.file_type, file_size=resource.file_size,
            audience=Resource.Audience.PRIVATE, source_id=resource.pk, credit=credit_for(resource))
        if resource.file:
            with resource.file.open("rb") as handle:
                copy.file.save(resource.file_name or "file", ContentFile(handle.read()), save=False)
        copy.save()
        audit.record(actor, "resources.copied", copy, institution_id=institution_id,
                     detail={"source": resource.pk, "section": section.pk if section else None})
        if section is not None:
            _place(actor, section, copy)
    return copy


def _place(actor: Actor, section: Section, resource: Resource) -> SectionItem:
    last = SectionItem.objects.filter(section=section).aggregate(m=Max("position"))["m"]
    item = SectionItem.objects.create(institution_id=section.institution_id, section=section, resource=resource,
                                      position=0 if last is None else last + 1, added_by_id=actor.person_id)
    audit.record(actor, "resources.item_added", item, institution_id=section.institution_id,
                 detail={"resource": resource.pk, "section": section.pk})
    return item


def item_add(*, actor: Actor, section: Section, resource: Resource) -> SectionItem:
    """Place a resource in a section (at the end). The resource must be in the actor's bank at the section's
    school; one from elsewhere is copied in with ``resource_copy``."""
    require(actor, "manage", section)
    if not can(actor, "copy", resource):
        raise ValidationError({"resource_id": [_("Choose a resource from your bank.")]})
    if resource.institution_id != section.institution_id:
        raise ValidationError({"resource_id": [_("This resource belongs to another school: copy it into the section "
                                                 "from its page instead.")]})
    with transaction.atomic():
        return _place(actor, section, resource)


def item_remove(*, actor: Actor, item: SectionItem) -> None:
    require(actor, "manage", item)
    with transaction.atomic():
        audit.record(actor, "resources.item_removed", item, institution_id=item.institution_id,
                     detail={"resource": item.resource_id, "section": item.section_id})
        item.delete()


def space_structure_copy(*, actor: Actor, source: CourseSpace, target: CourseSpace) -> int:
    """Reuse a space's structure for another group (next year's, say): its sections (title, text, links)
    and their items, added after the target's own sections. Homework and learners' work are not copied.
    Both spaces must be managed by the actor and belong to the same school. The number of sections copied."""
    require(actor, "manage", source)
    require(actor, "manage", target)
    if source.pk == target.pk:
        raise ValidationError({"target": [_("Choose another course space to copy into.")]})
    if source.institution_id != target.institution_id:
        raise ValidationError({"target": [_("Both course spaces must belong to the same school.")]})
    sections = list(Section.objects.filter(space=source).order_by("position", "pk"))
    items = list(SectionItem.objects.filter(section__space=source).order_by("section_id", "position", "pk"))
    with transaction.atomic():
        start = (Section.objects.filter(space=target).aggregate(m=Max("position"))["m"] or -1) + 1
        new_sections = Section.objects.bulk_create([
            Section(institution_id=target.institution_id, space=target, position=start + i, title=s.title,
                    body=s.body, links=s.links) for i, s in enumerate(sections)])
        mapping = {old.pk: new.pk for old, new in zip(sections, new_sections, strict=True)}
        SectionItem.objects.bulk_create([
            SectionItem(institution_id=target.institution_id, section_id=mapping[item.section_id],
                        resource_id=item.resource_id, position=item.position, added_by_id=actor.person_id)
            for item in items])
        audit.record(actor, "resources.space_reused", target, institution_id=target.institution_id,
                     detail={"source": source.pk, "sections": len(sections), "items": len(items)})
    return len(sections)
