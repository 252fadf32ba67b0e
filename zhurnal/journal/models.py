from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhurnal.core.models import TimestampedModel
from zhurnal.people.models import Student
from zhurnal.schools.models import School, Subject, Term
from zhurnal.timetable.models import Lesson, TeachingAssignment


class ScaleKind(models.TextChoices):
    NUMERIC = "numeric", _("points")
    LEVELS = "levels", _("levels")
    PASS_FAIL = "pass_fail", _("passed / not passed")
    COMMENTS = "comments", _("no marks — comments only")


class GradingScale(TimestampedModel):
    """A grading scale as data: its allowed values live in GradingScaleValue."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=ScaleKind.choices)

    class Meta:
        verbose_name = _("grading scale")
        verbose_name_plural = _("grading scales")

    def __str__(self) -> str:
        return self.name


class GradingScaleValue(models.Model):
    scale = models.ForeignKey(
        GradingScale, verbose_name=_("scale"), on_delete=models.CASCADE, related_name="values"
    )
    code = models.CharField(_("value"), max_length=16)
    label = models.CharField(_("label"), max_length=60)
    numeric_value = models.DecimalField(
        _("numeric equivalent"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("scale value")
        verbose_name_plural = _("scale values")
        ordering = ["scale", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="journal_scale_value_unique")
        ]

    def __str__(self) -> str:
        return self.code


class ScaleRule(TimestampedModel):
    """Which scale a school uses for a range of grades, optionally for one subject.

    The most specific rule wins: a subject rule over a whole-grade rule.
    """

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="scale_rules"
    )
    grade_from = models.PositiveSmallIntegerField(_("from grade"))
    grade_to = models.PositiveSmallIntegerField(_("to grade"))
    subject = models.ForeignKey(
        Subject,
        verbose_name=_("subject"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scale_rules",
    )
    scale = models.ForeignKey(
        GradingScale, verbose_name=_("scale"), on_delete=models.PROTECT, related_name="rules"
    )

    class Meta:
        verbose_name = _("scale rule")
        verbose_name_plural = _("scale rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_from__lte=F("grade_to")), name="journal_scale_rule_grades_ordered"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.school}: {self.grade_from}–{self.grade_to} {self.subject or ''} → {self.scale}"
        )


class AttendanceStatus(models.TextChoices):
    ABSENT = "absent", _("absent")
    LATE = "late", _("late")
    REMOTE = "remote", _("present remotely")


class Attendance(TimestampedModel):
    """An exception to 'present' for one student in one lesson; no row means present
    once the lesson's register is taken (Lesson.attendance_taken_at)."""

    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="attendance"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(_("status"), max_length=16, choices=AttendanceStatus.choices)
    excused = models.BooleanField(_("excused"), default=False)
    excuse_reason = models.CharField(_("reason"), max_length=200, blank=True)
    late_minutes = models.PositiveSmallIntegerField(_("minutes late"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attendance entry")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="journal_attendance_unique")
        ]
        indexes = [models.Index(fields=["student", "lesson"], name="journal_att_student_idx")]


class MarkKind(models.TextChoices):
    CURRENT = "current", _("current")
    TEST = "test", _("test")
    NOTEBOOK = "notebook", _("notebook")
    ORAL = "oral", _("oral answer")
    PRACTICAL = "practical", _("practical work")
    THEMATIC = "thematic", _("thematic")
    TERM = "term", pgettext_lazy("mark kind", "term")
    CORRECTED = "corrected", _("corrected")
    ANNUAL = "annual", _("annual")
    STATE_EXAM = "state_exam", _("state exam")


LESSON_MARK_KINDS = (
    MarkKind.CURRENT,
    MarkKind.TEST,
    MarkKind.NOTEBOOK,
    MarkKind.ORAL,
    MarkKind.PRACTICAL,
)


class Mark(TimestampedModel):
    """A mark or comment for one student; dated marks belong to a lesson, undated
    ones (thematic, term, corrected, annual, state exam) to the assignment and term."""

    assignment = models.ForeignKey(
        TeachingAssignment,
        verbose_name=_("teaching assignment"),
        on_delete=models.PROTECT,
        related_name="marks",
    )
    lesson = models.ForeignKey(
        Lesson,
        verbose_name=_("lesson"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="marks",
    )
    term = models.ForeignKey(
        Term,
        verbose_name=_("term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="marks",
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="marks"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MarkKind.choices)
    value = models.CharField(_("value"), max_length=16, blank=True)
    numeric_value = models.DecimalField(
        _("numeric value"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    theme_number = models.PositiveSmallIntegerField(_("topic number"), null=True, blank=True)
    # A corrected term mark records the request behind it (date and who asked).
    requested_on = models.DateField(_("requested on"), null=True, blank=True)
    requested_by = models.CharField(_("requested by"), max_length=200, blank=True)
    entered_late = models.BooleanField(_("entered after the lesson day"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=[k.value for k in LESSON_MARK_KINDS], lesson__isnull=False)
                    | (~Q(kind__in=[k.value for k in LESSON_MARK_KINDS]) & Q(lesson__isnull=True))
                ),
                name="journal_mark_lesson_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(value="") | ~Q(comment=""), name="journal_mark_not_empty"
            ),
            models.UniqueConstraint(
                fields=["assignment", "student", "kind", "term"],
                condition=Q(kind__in=["term", "corrected"]),
                name="journal_mark_one_term_mark",
            ),
            models.UniqueConstraint(
                fields=["assignment", "student", "kind"],
                condition=Q(kind__in=["annual", "state_exam"]),
                name="journal_mark_one_annual_mark",
            ),
            models.UniqueConstraint(
                fields=["assignment", "student", "term", "theme_number"],
                condition=Q(kind="thematic"),
                name="journal_mark_one_thematic_mark",
            ),
        ]
        indexes = [
            models.Index(fields=["assignment", "student"], name="journal_mark_asg_student_idx"),
            models.Index(fields=["student", "created_at"], name="journal_mark_student_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.value or self.comment}"


class Excuse(models.TextChoices):
    ILLNESS = "illness", _("illness (medical certificate)")
    FAMILY = "family", _("family reasons")
    OFFICIAL = "official", _("school or official business")
    OTHER = "other", _("other")


class TermLock(TimestampedModel):
    """A deputy director or director closed a term's journal for a class (or one subject
    of it): changes then go only through an approved correction."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="locks"
    )
    class_group = models.ForeignKey(
        "schools.ClassGroup",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="term_locks",
    )
    subject = models.ForeignKey(
        Subject,
        verbose_name=_("subject"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="term_locks",
    )
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("term lock")
        verbose_name_plural = _("term locks")
        constraints = [
            models.UniqueConstraint(
                fields=["term", "class_group", "subject"],
                condition=Q(subject__isnull=False),
                name="journal_termlock_unique_subject",
            ),
            models.UniqueConstraint(
                fields=["term", "class_group"],
                condition=Q(subject__isnull=True),
                name="journal_termlock_unique_class",
            ),
        ]


class CorrectionStatus(models.TextChoices):
    APPLIED = "applied", _("applied")
    PENDING = "pending", _("waiting for approval")
    REJECTED = "rejected", _("rejected")


class Correction(TimestampedModel):
    """One change of a recorded mark or attendance entry: the register of corrections.

    Kept for every change of an existing value; after the lesson day a reason is required,
    and in a locked term the change waits here for the deputy director's approval.
    """

    assignment = models.ForeignKey(
        TeachingAssignment,
        verbose_name=_("teaching assignment"),
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    lesson = models.ForeignKey(
        Lesson,
        verbose_name=_("lesson"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    term = models.ForeignKey(
        Term,
        verbose_name=_("term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="corrections"
    )
    target = models.CharField(_("what"), max_length=16)  # "mark" or "attendance"
    mark = models.ForeignKey(
        Mark,
        verbose_name=_("mark"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrections",
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.APPLIED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note of the decision"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("register of corrections")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["assignment", "status"], name="journal_corr_asg_idx")]


def homework_upload_to(instance: HomeworkFile, filename: str) -> str:
    return f"homework/{instance.lesson.date:%Y/%m}/{instance.lesson_id}/{filename}"


class HomeworkFile(TimestampedModel):
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="homework_files"
    )
    file = models.FileField(_("file"), upload_to=homework_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("homework file")
        verbose_name_plural = _("homework files")

    def __str__(self) -> str:
        return self.original_name


class RemarkKind(models.TextChoices):
    REMARK = "remark", _("remark")
    PRAISE = "praise", _("praise")


class StudentRemark(TimestampedModel):
    """A teacher's remark or praise about one student in one lesson, shown in the diary."""

    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="remarks"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="remarks"
    )
    text = models.CharField(_("text"), max_length=500)
    kind = models.CharField(
        _("kind"), max_length=16, choices=RemarkKind.choices, default=RemarkKind.REMARK
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("remark about a student")
        verbose_name_plural = _("remarks about students")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["remark", "praise"]), name="journal_remark_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.text


def excuse_upload_to(instance: AbsenceExcuse, filename: str) -> str:
    return f"excuses/{instance.class_group_id}/{instance.student_id}/{filename}"


class AbsenceExcuse(TimestampedModel):
    """The class teacher turned a student's absences over a range of days into excused
    ones (a medical certificate, a parents' note…); the scanned document is kept here.

    Absences recorded later in the range are not excused by it: excusing is done once,
    for the absences that exist at that moment."""

    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.PROTECT,
        related_name="absence_excuses",
    )
    class_group = models.ForeignKey(
        "schools.ClassGroup",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="absence_excuses",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=16, choices=Excuse.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    document = models.FileField(
        _("document"), upload_to=excuse_upload_to, max_length=300, blank=True
    )
    document_name = models.CharField(_("file name"), max_length=200, blank=True)
    absences_excused = models.PositiveIntegerField(_("absences excused"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("excused by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("excuse of absences")
        verbose_name_plural = _("excuses of absences")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="journal_excuse_dates_ordered"
            )
        ]
        indexes = [
            models.Index(fields=["class_group", "-created_at"], name="journal_excuse_class_idx")
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"


class OfflineOutcome(models.TextChoices):
    APPLIED = "applied", _("applied")
    PENDING = "pending", _("waiting for approval")
    CONFLICT = "conflict", _("conflict: waiting for the teacher’s choice")
    REFUSED = "refused", _("refused")
    KEPT_MINE = "kept_mine", _("conflict: the offline entry was kept")
    KEPT_THEIRS = "kept_theirs", _("conflict: the other change was kept")


class OfflineEntry(TimestampedModel):
    """One entry a teacher made without a connection and the browser sent later: kept by
    its client id so that a replayed entry is never applied twice, with the time it was
    made (`made_at`, the browser's clock) and what became of it. `created_at` is when it
    arrived."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    client_id = models.UUIDField(_("entry id in the browser"))
    lesson = models.ForeignKey(
        Lesson,
        verbose_name=_("lesson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target = models.CharField(_("what"), max_length=16)  # "mark" or "attendance"
    entry = models.JSONField(_("entry"), default=dict)
    base = models.CharField(_("value shown before"), max_length=100, blank=True)
    made_at = models.DateTimeField(_("made at"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=OfflineOutcome.choices)
    message = models.TextField(_("message"), blank=True)
    theirs = models.JSONField(_("the other change"), null=True, blank=True)

    class Meta:
        verbose_name = _("offline entry")
        verbose_name_plural = _("offline entries")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_id"], name="journal_offline_entry_once"
            )
        ]
