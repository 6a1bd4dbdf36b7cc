"""Every write of the learning app: course spaces and their sections, homework, hand-ins, marks, returns.

Each function takes the acting user, checks with ``authz``, validates before it writes, writes in one
transaction and records an audit event. Marks flow into the assessment record on return through
``records.assessment_services.marksheet_save``, the marksheet's own path, so validation, audit and
versioning stay one path.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, can, require, visible
from commonroom.common.dates import in_force
from commonroom.common.uploads import OFFICE_AND_IMAGES, check_upload
from commonroom.learning.models import Assignment, AssignmentResource, CourseSpace, Section, Submission
from commonroom.organisations.models import Institution
from commonroom.people.models import Group, GroupMembership
from commonroom.people.policies import barred_learner_ids
from commonroom.records.models import Aspect, AssessmentPoint, AssessmentResult, GradeSet

SPACE_KINDS = (Group.Kind.TEACHING, Group.Kind.REGISTRATION)
MAX_LINKS = 20
MAX_TEXT = 20_000
MAX_RESOURCES = 20

# What a learner may hand in: the extension -> the type its content must have (``filetype`` reads the
# first bytes). Plain text has no signature: a .txt must decode as UTF-8 and carry no NUL byte.
ALLOWED_TYPES = OFFICE_AND_IMAGES


def max_upload_bytes() -> int:
    return int(getattr(settings, "LEARNING_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


# Course spaces ------------------------------------------------------------------------------------


def space_for_group(*, actor: Actor, group: Group) -> CourseSpace:
    """The group's course space, created the first time someone who may see it opens it."""
    require(actor, "view_course", group)
    if group.kind not in SPACE_KINDS:
        raise NotFound()
    space = CourseSpace.objects.filter(group=group).first()
    if space is not None:
        return space
    try:
        with transaction.atomic():
            space = CourseSpace.objects.create(institution_id=group.institution_id, group=group)
            audit.record(actor, "learning.space_created", space, institution_id=group.institution_id)
    except IntegrityError:  # opened twice at the same moment
        space = CourseSpace.objects.get(group=group)
    return space


def ensure_spaces(group_ids: Sequence[int]) -> None:
    """Create the missing spaces of these groups (already checked by the caller), in two queries."""
    have = set(CourseSpace.objects.filter(group_id__in=list(group_ids)).values_list("group_id", flat=True))
    missing = [pk for pk in group_ids if pk not in have]
    if missing:
        CourseSpace.objects.bulk_create(
            [CourseSpace(institution_id=inst, group_id=pk)
             for pk, inst in Group.objects.filter(pk__in=missing).values_list("pk", "institution_id")],
            ignore_conflicts=True,
        )


def sync_course_spaces(*, actor: Actor, institution: Institution, on: datetime.date | None = None) -> int:
    """Give every teaching group of the institution's current academic year a space. The number created."""
    if not actor.is_system:
        raise NotFound()
    day = on or timezone.localdate()
    groups = list(Group.objects.filter(institution=institution, kind=Group.Kind.TEACHING,
                                       academic_year__start_date__lte=day, academic_year__end_date__gte=day)
                  .values_list("pk", flat=True))
    before = CourseSpace.objects.filter(institution=institution).count()
    with transaction.atomic():
        ensure_spaces(groups)
        created = CourseSpace.objects.filter(institution=institution).count() - before
        if created:
            audit.record(actor, "learning.spaces_synced", institution, institution_id=institution.pk,
                         detail={"created": created})
    return created


def parse_links(text: str) -> list[dict[str, str]]:
    """``title | https://...`` (or a bare address) per line; http and https only."""
    links: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        title, bar, url = line.rpartition("|")
        if not bar:
            title, url = "", line
        url, title = url.strip(), title.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
            raise ValidationError({"links": [_("Line %(n)s: “%(url)s” is not a web address starting http:// or https://.")
                                             % {"n": number, "url": url[:100]}]})
        links.append({"title": (title or parts.netloc)[:200], "url": url[:2000]})
    if len(links) > MAX_LINKS:
        raise ValidationError({"links": [_("A section holds at most %(n)s links.") % {"n": MAX_LINKS}]})
    return links


def links_text(links: list[dict[str, str]]) -> str:
    return "\n".join(f"{link['title']} | {link['url']}" for link in links)


def section_save(*, actor: Actor, space: CourseSpace, title: str, body: str = "", links: str = "",
                 section: Section | None = None) -> Section:
    require(actor, "manage", space)
    if section is not None and section.space_id != space.pk:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the section a title, for example “Week 1” or “Fractions”.")]
    if len(body) > MAX_TEXT:
        errors["body"] = [_("The text is too long: at most %(n)s characters.") % {"n": MAX_TEXT}]
    try:
        parsed = parse_links(links)
    except ValidationError as error:
        errors.update(error.message_dict)
        parsed = []
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if section is None:
            last = space.sections.order_by("-position").values_list("position", flat=True).first()
            section = Section(institution_id=space.institution_id, space=space,
                              position=(last + 1) if last is not None else 0)
        section.title, section.body, section.links = title.strip()[:200], body.strip(), parsed
        section.save()
        audit.record(actor, "learning.section_saved", section, institution_id=space.institution_id)
    return section


def section_delete(*, actor: Actor, section: Section) -> None:
    require(actor, "manage", section)
    with transaction.atomic():
        audit.record(actor, "learning.section_deleted", section, institution_id=section.institution_id,
                     detail={"title": section.title})
        section.delete()


# Homework -----------------------------------------------------------------------------------------


def _check_marking(group: Group, grade_set_id: int | None, mark_out_of: int | None, aspect_id: int | None,
                   point_id: int | None, errors: dict[str, list[str]]) -> tuple[GradeSet | None, Aspect | None, AssessmentPoint | None]:
    grade_set = aspect = point = None
    if grade_set_id:
        grade_set = GradeSet.objects.filter(pk=grade_set_id, institution_id=group.institution_id).first()
        if grade_set is None:
            errors["grade_set"] = [_("Choose one of the school's grade sets.")]
    if mark_out_of is not None and not 1 <= mark_out_of <= 1000:
        errors["mark_out_of"] = [_("A mark out of must be a whole number from 1 to 1000.")]
    if grade_set_id and mark_out_of is not None:
        errors["mark_out_of"] = [_("Choose a grade set or a mark out of a number, not both.")]
    if bool(aspect_id) != bool(point_id):
        errors["point" if aspect_id else "aspect"] = [_("To send marks to the assessment record, choose both an aspect and a point.")]
    elif aspect_id and point_id:
        from commonroom.records.assessment_services import aspects_for_subject

        aspect = next((a for a in aspects_for_subject(group.institution_id, group.subject) if a.pk == aspect_id), None)
        point = AssessmentPoint.objects.filter(pk=point_id, institution_id=group.institution_id,
                                               academic_year_id=group.academic_year_id).first()
        if group.kind != Group.Kind.TEACHING:
            errors["aspect"] = [_("Only a teaching group's marks can go to the assessment record.")]
        elif aspect is None:
            errors["aspect"] = [_("Choose an aspect of this subject.")]
        elif grade_set is None or aspect.grade_set_id != grade_set.pk:
            errors["grade_set"] = [_("Marks that go to %(aspect)s must use its grade set, %(set)s.")
                                   % {"aspect": aspect.name, "set": aspect.grade_set.name}]
        if point is None:
            errors["point"] = [_("Choose an assessment point of this academic year.")]
        elif point.locked:
            errors["point"] = [_("%(point)s is locked: choose an open point.") % {"point": point.name}]
    return grade_set, aspect, point


def assignment_save(
    *, actor: Actor, group: Group, title: str, due_at: datetime.datetime, instructions: str = "",
    expected_minutes: int = 30, allow_late: bool = True, grade_set_id: int | None = None,
    mark_out_of: int | None = None, aspect_id: int | None = None, point_id: int | None = None,
    state: str = Assignment.State.DRAFT, assignment: Assignment | None = None,
    resource_ids: Sequence[int] | None = None,
) -> Assignment:
    """Create or change homework for a group. Setting it (state ``set``) shows it to learners and families.

    ``resource_ids``, in order, replace the resources attached to the homework (``None`` leaves them as they
    are). A resource newly attached must be in the teacher's bank (their own or one shared with them, the
    resources app's ``copy`` rule); one already attached may stay, whoever attached it."""
    require(actor, "manage_course", group)
    if group.kind not in SPACE_KINDS:
        raise NotFound()
    if assignment is not None:
        require(actor, "manage", assignment)
        if assignment.group_id != group.pk:
            raise NotFound()
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the homework a title.")]
    if len(instructions) > MAX_TEXT:
        errors["instructions"] = [_("The instructions are too long: at most %(n)s characters.") % {"n": MAX_TEXT}]
    if not 1 <= expected_minutes <= 600:
        errors["expected_minutes"] = [_("Expected time must be from 1 to 600 minutes.")]
    if state not in Assignment.State.values:
        errors["state"] = [_("Choose draft or set.")]
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    changing_due = assignment is None or assignment.due_at != due_at
    if changing_due and state == Assignment.State.SET and due_at < timezone.now():
        errors["due_at"] = [_("The due date and time must be in the future.")]
    if assignment is not None and assignment.returned:
        errors["__all__"] = [_("This homework has been returned: it can no longer be changed.")]
    if assignment is not None and state == Assignment.State.DRAFT and assignment.state == Assignment.State.SET \
            and assignment.submissions.filter(handed_in_at__isnull=False).exists():
        errors["state"] = [_("Learners have handed work in: it cannot go back to a draft.")]
    _check_marking(group, grade_set_id, mark_out_of, aspect_id, point_id, errors)
    wanted = _check_resources(actor, group, assignment, resource_ids, errors) if resource_ids is not None else None
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        creating = assignment is None
        if assignment is None:
            assignment = Assignment(institution_id=group.institution_id, group=group)
        was_set = assignment.state == Assignment.State.SET and not creating
        assignment.title, assignment.instructions = title.strip()[:200], instructions.strip()
        assignment.due_at, assignment.expected_minutes, assignment.allow_late = due_at, expected_minutes, allow_late
        assignment.grade_set_id, assignment.mark_out_of = grade_set_id or None, mark_out_of
        assignment.aspect_id, assignment.point_id, assignment.state = aspect_id or None, point_id or None, state
        if state == Assignment.State.SET and not was_set:
            assignment.set_by_id, assignment.set_at = actor.person_id, timezone.now()
        assignment.save()
        detail: dict[str, Any] = {"state": state}
        if wanted is not None:
            detail["resource_ids"] = _attach_resources(actor, assignment, wanted)
        audit.record(actor, "learning.assignment_created" if creating else "learning.assignment_changed", assignment,
                     institution_id=group.institution_id, detail=detail)
        if state == Assignment.State.SET and (not was_set or changing_due):
            from commonroom.notifications.services import homework_alerts_on_commit

            homework_alerts_on_commit(assignment_id=assignment.pk, due_at=assignment.due_at)
    return assignment


def _check_resources(actor: Actor, group: Group, assignment: Assignment | None, resource_ids: Sequence[int],
                     errors: dict[str, list[str]]) -> list[int]:
    """The resources to attach, in order and once each, or an error at ``resources``. A new one must be in the
    actor's bank and of the homework's school (a row never reaches into another school): a resource shared by
    another school is copied into the teacher's bank first."""
    from commonroom.resources.models import Resource

    wanted = list(dict.fromkeys(int(pk) for pk in resource_ids))
    if len(wanted) > MAX_RESOURCES:
        errors["resources"] = [_("Attach at most %(n)s resources.") % {"n": MAX_RESOURCES}]
        return wanted
    attached = set(AssignmentResource.objects.filter(assignment=assignment).values_list("resource_id", flat=True)) \
        if assignment is not None and assignment.pk else set()
    new = sorted(set(wanted) - attached)
    usable = set(visible(actor, Resource, "copy").filter(pk__in=new, institution_id=group.institution_id)
                 .values_list("pk", flat=True)) if new else set()
    if set(new) - usable:
        # Missing and not in the teacher's bank read the same: nothing is said about someone else's resource.
        errors["resources"] = [_("Choose resources of this school from your bank: your own, or shared with you. "
                                 "Copy one from another school into your bank first.")]
    return wanted


def _attach_resources(actor: Actor, assignment: Assignment, wanted: list[int]) -> list[int]:
    """Make the attached resources exactly ``wanted``, in that order (in the caller's transaction). The
    homework's row is locked first, so two saves of the same homework at once take turns rather than both
    adding the same link."""
    Assignment.objects.select_for_update().filter(pk=assignment.pk).values_list("pk", flat=True).first()
    AssignmentResource.objects.filter(assignment=assignment).exclude(resource_id__in=wanted).delete()
    existing = {link.resource_id: link for link in AssignmentResource.objects.filter(assignment=assignment)}
    for position, resource_id in enumerate(wanted):
        link = existing.get(resource_id)
        if link is None:
            AssignmentResource.objects.create(institution_id=assignment.institution_id, assignment=assignment,
                                              resource_id=resource_id, position=position, added_by_id=actor.person_id)
        elif link.position != position:
            link.position = position
            link.save(update_fields=["position", "updated_at"])
    return wanted


def _check_upload(upload: UploadedFile) -> tuple[str, str]:
    """The upload's cleaned name and its type, or ValidationError saying what is wrong (the shared check)."""
    return check_upload(upload, allowed=ALLOWED_TYPES, max_bytes=max_upload_bytes(),
                        not_allowed=_("Files named .%(ext)s cannot be handed in. Allowed: %(allowed)s."))


def hand_in(*, actor: Actor, assignment: Assignment, text: str = "", upload: UploadedFile | None = None) -> Submission:
    """A learner hands work in (text, a file, or both). Until the due time they may hand in again: the
    latest version replaces the earlier one and the attempts are counted. After it the work is late, or
    refused if the teacher takes no late work; a hand-in already made stands."""
    require(actor, "hand_in", assignment)
    learner_id = actor.person_id
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if not text.strip() and upload is None:
        errors["__all__"] = [_("Write your answer or attach a file (or both).")]
    if len(text) > MAX_TEXT:
        errors["text"] = [_("Your answer is too long: at most %(n)s characters.") % {"n": MAX_TEXT}]
    if assignment.returned:
        errors["__all__"] = [_("This homework has been marked and returned: nothing more can be handed in.")]
    existing = Submission.objects.filter(assignment=assignment, learner_id=learner_id).first()
    late = now > assignment.due_at
    if late and existing is not None and existing.handed_in:
        errors["__all__"] = [_("The due time has passed: the work you handed in stands.")]
    elif late and not assignment.allow_late:
        errors["__all__"] = [_("The due time has passed and this homework does not take late work. Speak to your teacher.")]
    name = kind = ""
    if upload is not None and "file" not in errors:
        try:
            name, kind = _check_upload(upload)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        submission = existing or Submission(institution_id=assignment.institution_id, assignment=assignment,
                                            learner_id=learner_id)
        old_file = submission.file.name if submission.file else ""
        submission.text = text.strip()
        if upload is not None:
            submission.file.save(name, upload, save=False)
            submission.file_name, submission.file_type = name, kind
        submission.handed_in_at, submission.late, submission.on_paper = now, late, False
        submission.attempts += 1
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError:
            raise ValidationError({"__all__": [_("Your work was handed in twice at the same moment: check it and try again.")]}) from None
        audit.record(actor, "learning.handed_in", submission, learner_id=learner_id,
                     institution_id=assignment.institution_id,
                     detail={"attempt": submission.attempts, "late": late, "file": bool(upload), "text": bool(text.strip())})
        if upload is not None and old_file:
            name_to_delete = old_file
            transaction.on_commit(lambda: submission.file.storage.delete(name_to_delete))
    return submission


@dataclass(frozen=True)
class MarkRow:
    learner_id: int
    mark: str = ""
    feedback: str = ""
    on_paper: bool = False


def read_mark(assignment: Assignment, raw: str, grade_set_scale: Any = None) -> str:
    """The mark as stored, or ValueError saying what is allowed."""
    text = raw.strip()
    if not text:
        return ""
    if assignment.mark_out_of is not None:
        try:
            number = int(text)
        except ValueError:
            raise ValueError(_("“%(v)s” is not a whole number from 0 to %(n)s.") % {"v": text[:20], "n": assignment.mark_out_of}) from None
        if not 0 <= number <= assignment.mark_out_of:
            raise ValueError(_("%(v)s is outside 0 to %(n)s.") % {"v": number, "n": assignment.mark_out_of})
        return str(number)
    if grade_set_scale is not None:
        return str(grade_set_scale.read(text)[0])
    raise ValueError(_("This homework has no mark: give feedback only."))


def group_roll(actor: Actor, group_id: int, on: datetime.date | None = None) -> dict[int, str]:
    """Learner id -> name for the group's members in force (a learner the actor is barred from is left out)."""
    barred = barred_learner_ids(actor)
    rows = (GroupMembership.objects.filter(in_force(on=on or actor.on), group_id=group_id)
            .exclude(learner_id__in=sorted(barred))
            .order_by("learner__person__family_name", "learner__person__given_name", "learner_id")
            .values_list("learner_id", "learner__person__given_name", "learner__person__family_name"))
    return {pk: f"{given} {family}" for pk, given, family in rows}


def marks_save(*, actor: Actor, assignment: Assignment, rows: Sequence[MarkRow]) -> int:
    """Save marks, feedback and "handed in on paper" for many learners at once, all or nothing.
    The number of learners whose row changed. The same handful of queries for 3 rows or 300."""
    require(actor, "manage", assignment)
    if assignment.state != Assignment.State.SET:
        raise ValidationError({"__all__": [_("Set the homework before marking it.")]})
    if assignment.returned:
        raise ValidationError({"__all__": [_("This homework has been returned: its marks can no longer be changed.")]})
    roll = group_roll(actor, assignment.group_id)
    scale = None
    if assignment.grade_set_id:
        from commonroom.records.assessment_services import Scale

        scale = Scale.of(assignment.grade_set)  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    wanted: dict[int, tuple[str, str, bool]] = {}
    for row in rows:
        key = f"m_{row.learner_id}"
        if row.learner_id not in roll:
            errors.setdefault(key, []).append(_("This learner is not in the group."))
            continue
        if row.learner_id in wanted:
            errors.setdefault(key, []).append(_("This learner appears twice."))
            continue
        try:
            mark = read_mark(assignment, row.mark, scale)
        except ValueError as problem:
            errors.setdefault(key, []).append(f"{roll[row.learner_id]}: {problem}")
            continue
        if len(row.feedback) > MAX_TEXT:
            errors.setdefault(f"f_{row.learner_id}", []).append(_("%(name)s: the feedback is too long.") % {"name": roll[row.learner_id]})
            continue
        wanted[row.learner_id] = (mark, row.feedback.strip(), row.on_paper)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        existing = {s.learner_id: s for s in Submission.objects.select_for_update()
                    .filter(assignment=assignment, learner_id__in=sorted(wanted))}
        to_create, to_update, touched = [], [], []
        for learner_id, (mark, feedback, on_paper) in wanted.items():
            sub = existing.get(learner_id)
            paper_now = on_paper and (sub is None or not sub.handed_in)
            if sub is None:
                if not (mark or feedback or on_paper):
                    continue
                sub = Submission(institution_id=assignment.institution_id, assignment=assignment, learner_id=learner_id)
                to_create.append(sub)
            elif (sub.mark, sub.feedback) == (mark, feedback) and not paper_now and not (sub.on_paper and not on_paper):
                continue
            else:
                to_update.append(sub)
            if (sub.mark, sub.feedback) != (mark, feedback):
                sub.mark, sub.feedback, sub.marked_by_id, sub.marked_at = mark, feedback, actor.person_id, now
            if paper_now:
                sub.on_paper, sub.handed_in_at, sub.late = True, now, False
            elif sub.on_paper and not on_paper:  # unticked: the paper hand-in was recorded by mistake
                sub.on_paper, sub.handed_in_at = False, None
            sub.updated_at = now
            touched.append(learner_id)
        Submission.objects.bulk_create(to_create)
        if to_update:
            Submission.objects.bulk_update(to_update, ["mark", "feedback", "marked_by", "marked_at", "on_paper",
                                                       "handed_in_at", "late", "updated_at"])
        if touched:
            audit.record_for_learners(actor, "learning.marked", assignment, sorted(touched),
                                      institution_id=assignment.institution_id)
    return len(touched)


# What a teacher may send back as annotated feedback: the learner's work marked up, as a PDF or an image.
FEEDBACK_TYPES = ("pdf", "png", "jpg", "jpeg", "gif", "webp")


def check_feedback_file(upload: UploadedFile) -> tuple[str, str]:
    """The feedback file's cleaned name and type (checked as hand-ins are: size, name and content), or
    ValidationError on ``feedback_file``."""
    return check_upload(upload, allowed={ext: OFFICE_AND_IMAGES[ext] for ext in FEEDBACK_TYPES},
                        max_bytes=max_upload_bytes(), field="feedback_file",
                        not_allowed=_("Feedback files must be a PDF or an image (%(allowed)s), not .%(ext)s."))


def mark_one(*, actor: Actor, assignment: Assignment, learner_id: int, mark: str = "", feedback: str = "",
             on_paper: bool = False, feedback_file: UploadedFile | None = None, remove_feedback_file: bool = False) -> Submission | None:
    """Mark one learner's work: the mark, written feedback and "on paper" (as in the grid) and, optionally, an
    annotated feedback file (replacing any earlier one) or its removal. All or nothing. The submission, if any."""
    require(actor, "manage", assignment)
    roll = group_roll(actor, assignment.group_id)
    if learner_id not in roll:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    name = kind = ""
    if feedback_file is not None:
        try:
            name, kind = check_feedback_file(feedback_file)
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        with transaction.atomic():
            marks_save(actor=actor, assignment=assignment, rows=[MarkRow(learner_id, mark, feedback, on_paper)])
            if errors:
                raise ValidationError(errors)
            if feedback_file is None and not remove_feedback_file:
                return Submission.objects.filter(assignment=assignment, learner_id=learner_id).first()
            return _put_feedback_file(actor, assignment, learner_id, feedback_file, name, kind)
    except ValidationError as error:
        found = dict(errors)
        for key, messages in (error.message_dict.items() if hasattr(error, "error_dict") else [("__all__", error.messages)]):
            field = {f"m_{learner_id}": "mark", f"f_{learner_id}": "feedback"}.get(key, key)
            found[field] = list(dict.fromkeys(found.get(field, []) + list(messages)))
        raise ValidationError(found) from None


def feedback_file_save(*, actor: Actor, assignment: Assignment, learner_id: int, upload: UploadedFile) -> Submission:
    """Give one learner's work the teacher's annotated feedback file (replacing any earlier one), leaving the
    mark and written feedback as they are: for the API, where the file comes on its own. Checked as on the
    page (size, name and content), by those who mark the learner's work; never by anyone barred."""
    require(actor, "manage", assignment)
    if learner_id not in group_roll(actor, assignment.group_id):
        raise NotFound()
    if assignment.state != Assignment.State.SET:
        raise ValidationError({"file": [_("Set the homework before marking it.")]})
    name, kind = check_feedback_file(upload)
    with transaction.atomic():
        # One writer at a time per homework, so two uploads for a learner with no hand-in yet cannot both
        # create the submission row.
        Assignment.objects.select_for_update().filter(pk=assignment.pk).values_list("pk", flat=True).first()
        return _put_feedback_file(actor, assignment, learner_id, upload, name, kind)


def _put_feedback_file(actor: Actor, assignment: Assignment, learner_id: int, upload: UploadedFile | None,
                       name: str, kind: str) -> Submission:
    """Store ``upload`` (already checked, as ``name`` of type ``kind``) as the learner's feedback file, or remove
    the file when ``upload`` is None; the old file goes once the transaction commits. In the caller's
    transaction; the submission is made if the learner handed nothing in."""
    submission = Submission.objects.select_for_update().filter(assignment=assignment, learner_id=learner_id).first()
    if submission is None:
        submission = Submission(institution_id=assignment.institution_id, assignment=assignment, learner_id=learner_id)
    else:
        require(actor, "mark", submission)
    old = submission.feedback_file.name if submission.feedback_file else ""
    if upload is not None:
        submission.feedback_file.save(name, upload, save=False)
        submission.feedback_file_name, submission.feedback_file_type = name, kind
    else:
        submission.feedback_file, submission.feedback_file_name, submission.feedback_file_type = "", "", ""  # type: ignore[assignment]
    submission.marked_by_id, submission.marked_at = actor.person_id, timezone.now()
    submission.save()
    audit.record(actor, "learning.feedback_file_saved" if upload is not None else "learning.feedback_file_removed",
                 submission, learner_id=learner_id, institution_id=assignment.institution_id)
    if old:
        storage = submission.feedback_file.storage
        transaction.on_commit(lambda: storage.delete(old))
    return submission


def assignment_return(*, actor: Actor, assignment: Assignment) -> int:
    """Return the work to all at once: learners and families see marks and feedback from now on. For homework
    linked to an aspect and point, the marks go to the assessment record through the marksheet's save.
    The number of marks sent to the record."""
    require(actor, "manage", assignment)
    if assignment.state != Assignment.State.SET:
        raise ValidationError({"__all__": [_("Set the homework before returning it.")]})
    if assignment.returned:
        raise ValidationError({"__all__": [_("This homework has already been returned.")]})
    sent = 0
    with transaction.atomic():
        if assignment.aspect_id and assignment.point_id:
            from commonroom.records.assessment_services import Cell, marksheet_save, members_for_marksheet

            group = assignment.group
            members = members_for_marksheet(actor, group)
            marks = dict(Submission.objects.filter(assignment=assignment, learner_id__in=sorted(members))
                         .exclude(mark="").values_list("learner_id", "mark"))
            seen = dict(AssessmentResult.objects.filter(
                point_id=assignment.point_id, aspect_id=assignment.aspect_id, subject=group.subject,
                learner_id__in=sorted(marks)).values_list("learner_id", "version"))
            cells = [Cell(learner_id, assignment.aspect_id, mark, seen.get(learner_id, 0)) for learner_id, mark in marks.items()]
            if cells:
                if not can(actor, "enter_grades", group):
                    raise ValidationError({"__all__": [_("Only the group's teacher or the school's data managers can send marks to the assessment record.")]})
                point = AssessmentPoint.objects.get(pk=assignment.point_id)
                result = marksheet_save(actor=actor, group=group, point=point, cells=cells)
                sent = result.created + result.changed + result.unchanged
        updated = Assignment.objects.filter(pk=assignment.pk, returned_at__isnull=True).update(returned_at=timezone.now())
        if not updated:
            raise ValidationError({"__all__": [_("This homework has already been returned.")]})
        assignment.refresh_from_db(fields=["returned_at"])
        audit.record(actor, "learning.returned", assignment, institution_id=assignment.institution_id,
                     detail={"to_assessment_record": sent})
    return sent


def assignment_delete_draft(*, actor: Actor, assignment: Assignment) -> None:
    require(actor, "manage", assignment)
    if assignment.state != Assignment.State.DRAFT:
        raise ValidationError({"__all__": [_("Only a draft can be deleted.")]})
    with transaction.atomic():
        audit.record(actor, "learning.assignment_deleted", assignment, institution_id=assignment.institution_id,
                     detail={"title": assignment.title})
        assignment.delete()
