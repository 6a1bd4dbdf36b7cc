"""Frameworks as data (loaded from versioned files) and the reviews institutions make against them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonroom.common.models import InstitutionOwned, TimeStamped

LEVELS = (1, 2, 3, 4, 5)  # 1 is the highest, 5 "not yet started"


class Framework(TimeStamped):
    """One version of a framework. A new version is a new row; reviews keep pointing at theirs."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn: no new reviews")

    slug = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=60, blank=True, help_text=_("schools, further education, ..."))
    scale = models.JSONField(help_text=_('Names of the five levels: {"1": "Exemplary", ..., "5": "Not yet started"}'))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    source_file = models.CharField(max_length=200)
    checksum = models.CharField(max_length=64, help_text=_("Of the content, status excluded"))

    class Meta:
        ordering = ("slug", "-version")
        constraints = [models.UniqueConstraint(fields=("slug", "version"), name="selfreview_framework_slug_version")]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN


class Element(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="elements")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ("framework", "number")
        constraints = [models.UniqueConstraint(fields=("framework", "number"), name="selfreview_element_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Strand(models.Model):
    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="strands")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("element", "position")
        constraints = [models.UniqueConstraint(fields=("element", "code"), name="selfreview_strand_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Aspect(models.Model):
    strand = models.ForeignKey(Strand, on_delete=models.CASCADE, related_name="aspects")
    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="aspects")  # denormalised for sums
    code = models.CharField(max_length=12)
    title = models.CharField(max_length=300)
    threshold = models.PositiveSmallIntegerField(help_text=_("The level to reach: this or a better (lower) one"))
    descriptors = models.JSONField(help_text=_('{"1": "...", ..., "5": "..."}'))
    measures = models.JSONField(default=list, blank=True,
                                help_text=_("Names of the platform measures offered as evidence (selfreview/measures.py)"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("element__number", "strand__position", "position")
        constraints = [models.UniqueConstraint(fields=("element", "code"), name="selfreview_aspect_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def descriptor_list(self) -> list[tuple[int, str]]:
        return [(level, self.descriptors[str(level)]) for level in LEVELS]


class Review(InstitutionOwned):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="reviews")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        ordering = ("-started_on", "-pk")
        indexes = [models.Index(fields=("institution", "status", "completed_on"), name="selfreview_review_inst")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED


class ElementAssignment(InstitutionOwned):
    """A colleague answers one element of a review. One colleague per element."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="assignments")
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("institution", "review", "element"),
                                               name="selfreview_assignment_element")]
        indexes = [models.Index(fields=("institution", "person"), name="selfreview_assign_person")]


class AspectAnswer(InstitutionOwned):
    """The answer to one aspect of a review. ``version`` goes up with every save: a save made from an
    older version is refused, so two people working at once never overwrite each other silently."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    aspect = models.ForeignKey(Aspect, on_delete=models.PROTECT, related_name="+")
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")  # the aspect's, for the rules
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True,
                                help_text=_('[{"kind": "link", "url": "https://..."} or {"kind": "note", "text": "..."}]'))
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("institution", "review", "aspect"), name="selfreview_answer_aspect")]
        indexes = [models.Index(fields=("institution", "review", "element"), name="selfreview_answer_element")]



def evidence_file_path(instance: EvidenceFile, filename: str) -> str:
    # A random stored name: the uploaded name is kept in ``file_name`` and only ever sent as an attachment.
    import uuid

    return f"selfreview/evidence/{instance.institution_id}/{uuid.uuid4().hex}"


class EvidenceFile(InstitutionOwned):
    """A file attached as evidence to one aspect's answer (checked by its content on upload). Files of a
    completed review are kept and read, never changed."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="evidence_files")
    aspect = models.ForeignKey(Aspect, on_delete=models.PROTECT, related_name="+")
    answer = models.ForeignKey(AspectAnswer, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=evidence_file_path, max_length=200)
    file_name = models.CharField(max_length=150)
    file_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("uploaded_at", "pk")
        indexes = [models.Index(fields=("institution", "review", "aspect"), name="selfreview_evfile_aspect")]

    def __str__(self) -> str:
        return self.file_name


# --- The Charter (stages recorded with who confirmed them) -------------------------------------


class CharterStage(models.TextChoices):
    COMMITTED = "committed", _("Committed")
    RECOGNISED = "recognised", _("Recognised")
    ICT_MARK = "ict_mark", _("ICT Mark")
    EXCELLENCE = "excellence", _("Excellence")


STAGE_ORDER = (CharterStage.COMMITTED, CharterStage.RECOGNISED, CharterStage.ICT_MARK, CharterStage.EXCELLENCE)


class CharterRecord(InstitutionOwned):
    """One step on the Charter, as recorded: a leader's commitment, an officer's confirmation of
    recognition (with the adviser's reference) or an assessor's visit and its outcome. Rows are never
    changed; the current stage is computed from them (``charter.current_stage``)."""

    class Outcome(models.TextChoices):
        AWARDED = "awarded", _("Awarded")
        NOT_YET = "not_yet", _("Not yet: revisit")

    stage = models.CharField(max_length=12, choices=CharterStage.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.AWARDED)
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()
    adviser_reference = models.CharField(max_length=100, blank=True)
    visit_date = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True, help_text=_("The ICT Mark lasts three years from the visit"))
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ("recorded_on", "pk")
        indexes = [models.Index(fields=("institution", "stage", "recorded_on"), name="selfreview_charter_inst")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.recorded_on}"

    @property
    def awarded(self) -> bool:
        return self.outcome == self.Outcome.AWARDED


class RecognitionRequest(InstitutionOwned):
    """A leader asks the authority to confirm the Recognised stage on the strength of a completed review."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the authority")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Not confirmed")

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("-requested_on", "-pk")
        indexes = [models.Index(fields=("institution", "status"), name="selfreview_recog_inst")]


class CharterReminder(InstitutionOwned):
    """A reminder sent before an ICT Mark lapses: one per mark and lead time, so sending is idempotent."""

    record = models.ForeignKey(CharterRecord, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=("institution", "record", "days_before"),
                                               name="selfreview_charter_reminder_once")]


from commonroom.selfreview.models_plans import Action, AuthorityTarget  # noqa: E402,F401  (action plans, targets)
