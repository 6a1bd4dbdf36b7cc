"""Every write of the Question Wall. Each function takes the acting user, checks with ``authz``, cleans and
validates before it writes, writes in one transaction and records an audit event.

Edits and deletes: an author may change or delete their own post for ``EDIT_WINDOW`` (15 minutes) after
posting, while it is not hidden and the thread is not locked; after that it stays as the class saw it and
only a teacher can hide it. Deleting a question deletes its thread, and only while nobody has answered.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonroom.authz import audit
from commonroom.authz.actor import Actor
from commonroom.authz.api import NotFound, require
from commonroom.learning.models import CourseSpace, Section
from commonroom.organisations.models import Institution
from commonroom.wall.models import (
    BODY_MAX,
    DEFAULT_ALLOWED_SITES,
    REASON_MAX,
    TITLE_MAX,
    Post,
    Report,
    Thread,
    WallSettings,
)
from commonroom.wall.text import clean_line, clean_text, normalise_site

EDIT_WINDOW = datetime.timedelta(minutes=15)
MAX_SITES = 200
THREAD_ACTIONS = ("pin", "unpin", "lock", "unlock")
POST_ACTIONS = ("endorse", "unendorse", "hide", "unhide")


# Settings -----------------------------------------------------------------------------------------


def allowed_sites(institution_id: int) -> list[str]:
    """The institution's allowed sites (the defaults if its leaders never changed them)."""
    row = WallSettings.objects.filter(institution_id=institution_id).first()
    return list(row.allowed_sites) if row is not None else list(DEFAULT_ALLOWED_SITES)


def parse_sites(text: str) -> list[str]:
    sites: list[str] = []
    for number, line in enumerate(clean_text(text).splitlines(), start=1):
        if not line.strip():
            continue
        site = normalise_site(line)
        if site is None:
            raise ValidationError({"sites": [_("Line %(n)s: “%(site)s” is not a web site’s name, like bbc.co.uk.")
                                             % {"n": number, "site": line.strip()[:100]}]})
        if site not in sites:
            sites.append(site)
    if len(sites) > MAX_SITES:
        raise ValidationError({"sites": [_("List at most %(n)s sites.") % {"n": MAX_SITES}]})
    return sites


def wall_settings_save(*, actor: Actor, institution: Institution, sites: str) -> WallSettings:
    require(actor, "wall_settings", institution)
    parsed = parse_sites(sites)
    with transaction.atomic():
        row, _created = WallSettings.objects.select_for_update().get_or_create(
            institution=institution, defaults={"allowed_sites": list(DEFAULT_ALLOWED_SITES)})
        before = list(row.allowed_sites)
        row.allowed_sites = parsed
        row.save()
        audit.record(actor, "wall.settings_changed", row, institution_id=institution.pk,
                     detail={"before": before, "after": parsed})
    return row


# Cleaning -----------------------------------------------------------------------------------------


def _body(value: str, field: str = "body") -> str:
    body = clean_text(value or "")
    if not body:
        raise ValidationError({field: [_("Write something.")]})
    if len(body) > BODY_MAX:
        raise ValidationError({field: [_("Write at most %(n)s characters (this has %(m)s).") % {
            "n": f"{BODY_MAX:,}", "m": f"{len(body):,}"}]})
    return body


def _title(value: str) -> str:
    title = clean_line(value or "")
    if not title:
        raise ValidationError({"title": [_("Give your question a short title.")]})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": [_("Keep the title to %(n)s characters.") % {"n": TITLE_MAX}]})
    return title


def _reason(value: str, *, required: bool = True) -> str:
    reason = clean_line(value or "")
    if required and not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("Keep the reason to %(n)s characters.") % {"n": REASON_MAX}]})
    return reason


def _may_be_anonymous(actor: Actor, anonymous: bool) -> bool:
    # Only learners post anonymously (to their classmates; staff always see who wrote it).
    return bool(anonymous) and actor.is_learner


# Threads and posts --------------------------------------------------------------------------------


def thread_create(*, actor: Actor, space: CourseSpace, title: str, body: str, anonymous: bool = False,
                  section: Section | int | None = None) -> Thread:
    """Ask a question on the space's wall (under one of its topics if ``section`` is given)."""
    require(actor, "wall_write", space)
    if actor.person_id is None:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for field, clean in (("title", _title), ("body", _body)):
        try:
            values[field] = clean(title if field == "title" else body)
        except ValidationError as error:
            errors.update(error.message_dict)
    section_id = section.pk if isinstance(section, Section) else section
    if section_id is not None and not Section.objects.filter(pk=section_id, space_id=space.pk).exists():
        errors["section"] = [_("Choose one of this course space’s topics.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.create(institution_id=space.institution_id, space=space, section_id=section_id,
                                       title=values["title"], author_id=actor.person_id, last_post_at=now)
        post = Post.objects.create(institution_id=space.institution_id, thread=thread, author_id=actor.person_id,
                                   is_question=True, body=values["body"], anonymous=_may_be_anonymous(actor, anonymous))
        audit.record(actor, "wall.asked", post, institution_id=space.institution_id,
                     detail={"thread": thread.pk, "anonymous": post.anonymous})
    return thread


def post_create(*, actor: Actor, thread: Thread, body: str, anonymous: bool = False) -> Post:
    """Answer a thread (refused while it is locked)."""
    require(actor, "answer", thread)
    if actor.person_id is None:
        raise NotFound()
    text = _body(body)
    with transaction.atomic():
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        if locked.locked:
            raise ValidationError({"body": [_("This thread is locked: no more answers.")]})
        post = Post.objects.create(institution_id=locked.institution_id, thread=locked, author_id=actor.person_id,
                                   body=text, anonymous=_may_be_anonymous(actor, anonymous))
        locked.last_post_at = post.created_at
        locked.save(update_fields=["last_post_at", "updated_at"])
        audit.record(actor, "wall.answered", post, institution_id=locked.institution_id,
                     detail={"thread": locked.pk, "anonymous": post.anonymous})
    return post


def may_still_change(post: Post, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) - post.created_at <= EDIT_WINDOW


def _check_changeable(actor: Actor, post: Post) -> None:
    require(actor, "change", post)
    if not may_still_change(post):
        raise ValidationError({"body": [_("Posts can be changed or deleted only in the first %(n)s minutes.")
                                        % {"n": int(EDIT_WINDOW.total_seconds() // 60)}]})
    if post.thread.locked:
        raise ValidationError({"body": [_("This thread is locked.")]})


def post_edit(*, actor: Actor, post: Post, body: str, title: str | None = None) -> Post:
    """The author changes their post in its first minutes (and the title, for a question)."""
    _check_changeable(actor, post)
    text = _body(body)
    new_title = _title(title) if post.is_question and title is not None else None
    with transaction.atomic():
        post.body, post.edited_at = text, timezone.now()
        post.save(update_fields=["body", "edited_at", "updated_at"])
        if new_title is not None:
            post.thread.title = new_title
            post.thread.save(update_fields=["title", "updated_at"])
        audit.record(actor, "wall.edited", post, institution_id=post.institution_id, detail={"thread": post.thread_id})
    return post


def post_delete(*, actor: Actor, post: Post) -> bool:
    """The author deletes their post in its first minutes. True if the whole thread went (a question)."""
    _check_changeable(actor, post)
    with transaction.atomic():
        if post.is_question:
            Thread.objects.select_for_update().filter(pk=post.thread_id).first()  # an answer being added waits
            if Post.objects.filter(thread_id=post.thread_id, is_question=False).exists():
                raise ValidationError({"body": [_("Someone has answered: the question stays. Ask a teacher to hide it.")]})
            audit.record(actor, "wall.deleted", post.thread, institution_id=post.institution_id,
                         detail={"thread": post.thread_id, "question": True})
            post.thread.delete()
            return True
        audit.record(actor, "wall.deleted", post, institution_id=post.institution_id, detail={"thread": post.thread_id})
        post.delete()
    return False


# Moderation ---------------------------------------------------------------------------------------


def thread_moderate(*, actor: Actor, thread: Thread, action: str) -> Thread:
    """A teacher of the group pins, unpins, locks or unlocks a thread."""
    require(actor, "moderate", thread)
    if action not in THREAD_ACTIONS:
        raise ValidationError({"action": [_("Choose pin, unpin, lock or unlock.")]})
    with transaction.atomic():
        if action in ("pin", "unpin"):
            thread.pinned = action == "pin"
        else:
            thread.locked = action == "lock"
        thread.save(update_fields=["pinned", "locked", "updated_at"])
        audit.record(actor, f"wall.{action}", thread, institution_id=thread.institution_id)
    return thread


def post_moderate(*, actor: Actor, post: Post, action: str, reason: str = "") -> Post:
    """A teacher of the group endorses an answer (or takes it back), hides a post with a reason, or unhides it."""
    require(actor, "moderate", post)
    if action not in POST_ACTIONS:
        raise ValidationError({"action": [_("Choose endorse, unendorse, hide or unhide.")]})
    fields: list[str]
    with transaction.atomic():
        if action == "hide":
            post.hidden, post.hidden_reason = True, _reason(reason)
            post.hidden_by_id, post.hidden_at = actor.person_id, timezone.now()
            fields = ["hidden", "hidden_reason", "hidden_by", "hidden_at"]
        elif action == "unhide":
            post.hidden, post.hidden_reason, post.hidden_by_id, post.hidden_at = False, "", None, None
            fields = ["hidden", "hidden_reason", "hidden_by", "hidden_at"]
        else:
            if post.is_question:
                raise ValidationError({"action": [_("Endorse an answer, not the question.")]})
            if action == "endorse" and post.hidden:
                raise ValidationError({"action": [_("Unhide the answer before endorsing it.")]})
            post.endorsed = action == "endorse"
            post.endorsed_by_id = actor.person_id if post.endorsed else None
            fields = ["endorsed", "endorsed_by"]
        post.save(update_fields=[*fields, "updated_at"])
        audit.record(actor, f"wall.{action}", post, institution_id=post.institution_id,
                     detail={"thread": post.thread_id, **({"reason": post.hidden_reason} if action == "hide" else {})})
    return post


def report_create(*, actor: Actor, post: Post, reason: str) -> Report:
    """A member of the group reports someone else's post (once) to the group's teachers."""
    require(actor, "report", post)
    if actor.person_id is None:
        raise NotFound()
    text = _reason(reason)
    if Report.objects.filter(post=post, reporter_id=actor.person_id).exists():
        raise ValidationError({"reason": [_("You have already reported this post.")]})
    try:
        with transaction.atomic():
            report = Report.objects.create(institution_id=post.institution_id, post=post,
                                           reporter_id=actor.person_id, reason=text)
            audit.record(actor, "wall.reported", report, institution_id=post.institution_id, detail={"post": post.pk})
    except IntegrityError:  # the same report sent twice at once
        raise ValidationError({"reason": [_("You have already reported this post.")]}) from None
    return report


def report_resolve(*, actor: Actor, report: Report, outcome: str, reason: str = "") -> Report:
    """A teacher of the group resolves a report: keep the post, or hide it (the reason defaults to the
    report's). Every open report on the same post is resolved with it."""
    require(actor, "resolve", report)
    if outcome not in (Report.Outcome.KEPT, Report.Outcome.HIDDEN):
        raise ValidationError({"outcome": [_("Choose whether to keep or hide the post.")]})
    if report.outcome != Report.Outcome.OPEN:
        raise ValidationError({"outcome": [_("This report has already been resolved.")]})
    with transaction.atomic():
        locked = Report.objects.select_for_update().filter(pk=report.pk).values_list("outcome", flat=True).first()
        if locked != Report.Outcome.OPEN:  # another teacher resolved it a moment ago
            raise ValidationError({"outcome": [_("This report has already been resolved.")]})
        if outcome == Report.Outcome.HIDDEN and not report.post.hidden:
            post_moderate(actor=actor, post=report.post, action="hide", reason=_reason(reason, required=False) or report.reason)
        now = timezone.now()
        Report.objects.filter(post_id=report.post_id, outcome=Report.Outcome.OPEN).update(
            outcome=outcome, resolved_by_id=actor.person_id, resolved_at=now, updated_at=now)
        report.refresh_from_db()
        audit.record(actor, "wall.report_resolved", report, institution_id=report.institution_id,
                     detail={"outcome": outcome, "post": report.post_id})
    return report
