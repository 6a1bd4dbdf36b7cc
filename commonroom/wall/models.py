"""The Question Wall: a discussion board per course space, optionally narrowed to one topic (section).

A thread is a question (its first post) and the answers to it. Posts are plain text, cleaned on the way in
and escaped on the way out (``text.py``). A learner may post anonymously to peers: the author is always
stored, and staff of the group always see it; other learners see "A classmate".

Teachers of the group moderate: pin and lock threads, endorse an answer, hide a post with a reason (staff
still see it, greyed; learners do not), and resolve reports of inappropriate posts. Each member reports a
post at most once.

The sites whose links are shown as links are an institution setting (``WallSettings``), managed by leaders.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned

TITLE_MAX = 200
BODY_MAX = 5_000
REASON_MAX = 500
DEFAULT_ALLOWED_SITES = (
    "bbc.co.uk",
    "wikipedia.org",
    "nationalarchives.gov.uk",
    "gov.uk",
    "khanacademy.org",
    "ordnancesurvey.co.uk",
    "nhs.uk",
)


class WallSettings(InstitutionOwned):
    """The institution's allowed sites: a link's host must be one of these or end in ``.`` + one of them."""

    allowed_sites = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution"], name="wallsettings_once")]

    def __str__(self) -> str:
        return f"Wall settings of {self.institution_id}"


class Thread(InstitutionOwned):
    space = models.ForeignKey("learning.CourseSpace", on_delete=models.CASCADE, related_name="wall_threads")
    section = models.ForeignKey("learning.Section", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="wall_threads")
    title = models.CharField(max_length=TITLE_MAX)
    author = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                               help_text=_("Who asked (the question's author)"))
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    last_post_at = models.DateTimeField()

    class Meta:
        ordering = ["-pinned", "-last_post_at", "-pk"]
        indexes = [models.Index(fields=["institution", "space", "pinned", "last_post_at"], name="wallthread_inst_space")]

    def __str__(self) -> str:
        return self.title


class Post(InstitutionOwned):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    is_question = models.BooleanField(default=False)
    body = models.TextField()
    anonymous = models.BooleanField(default=False, help_text=_("Shown to other learners as “A classmate”"))
    endorsed = models.BooleanField(default=False)
    endorsed_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=REASON_MAX, blank=True)
    hidden_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_question", "created_at", "pk"]
        indexes = [models.Index(fields=["institution", "thread", "created_at"], name="wallpost_inst_thread")]
        constraints = [models.UniqueConstraint(fields=["thread"], condition=models.Q(is_question=True),
                                               name="wallpost_one_question")]

    def __str__(self) -> str:
        return f"{self.thread_id}: {self.body[:40]}"


class Report(InstitutionOwned):
    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        KEPT = "kept", _("Post kept")
        HIDDEN = "hidden", _("Post hidden")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=REASON_MAX)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    resolved_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["institution", "outcome", "created_at"], name="wallreport_inst_outcome")]
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="wallreport_once")]

    def __str__(self) -> str:
        return f"Report on {self.post_id}"
