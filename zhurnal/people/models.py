from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from zhurnal.core.formats import full_name, short_name
from zhurnal.core.models import TimestampedModel
from zhurnal.schools.models import ClassGroup, Municipality, School, Subgroup


class Role(models.TextChoices):
    """Roles held through an explicit assignment; class teacher, student and guardian
    come from the class, the student record and the family link instead."""

    DEPARTMENT = "department", _("department specialist")
    SCHOOL_ADMIN = "school_admin", _("school administrator")
    DIRECTOR = "director", _("director")
    DEPUTY = "deputy", _("deputy director")
    TEACHER = "teacher", _("teacher")
    MEDICAL = "medical", _("medical worker")


class DerivedRole(models.TextChoices):
    CLASS_TEACHER = "class_teacher", _("class teacher")
    STUDENT = "student", _("student")
    GUARDIAN = "guardian", _("guardian")


class RoleAssignment(TimestampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            # The department acts for a municipality; every other role for one school.
            models.CheckConstraint(
                condition=(
                    Q(role="department", municipality__isnull=False, school__isnull=True)
                    | (~Q(role="department") & Q(school__isnull=False, municipality__isnull=True))
                ),
                name="people_role_scope",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                name="people_role_unique_school",
                condition=Q(school__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "municipality"],
                name="people_role_unique_municipality",
                condition=Q(municipality__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} ({self.school or self.municipality})"


class StaffMember(TimestampedModel):
    """A person working at a school: position and qualification, with their login."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="staff_posts",
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="staff"
    )
    position = models.CharField(_("position"), max_length=120)
    qualification = models.CharField(_("qualification category"), max_length=120, blank=True)
    is_active = models.BooleanField(_("works at the school"), default=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.UniqueConstraint(fields=["user", "school"], name="people_staff_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.position})"


class Sex(models.TextChoices):
    MALE = "m", _("male")
    FEMALE = "f", _("female")


class HealthGroup(models.TextChoices):
    BASIC = "basic", _("basic")
    PREPARATORY = "preparatory", _("preparatory")
    SPECIAL = "special", _("special")


class PEGroup(models.TextChoices):
    BASIC = "basic", _("basic")
    PREPARATORY = "preparatory", _("preparatory")
    SPECIAL = "special", _("special")
    EXEMPT = "exempt", _("exempt")


class EducationForm(models.TextChoices):
    DAY = "day", _("full-time")
    INDIVIDUAL = "individual", _("individual")
    FAMILY = "family", _("family (home) education")
    DISTANCE = "distance", _("distance")


class Student(TimestampedModel):
    """A student of the community; classes and schools come from enrollments."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="students",
    )
    surname = models.CharField(_("surname"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    personal_file_number = models.CharField(_("personal file number"), max_length=40, blank=True)
    education_form = models.CharField(
        _("form of education"),
        max_length=16,
        choices=EducationForm.choices,
        default=EducationForm.DAY,
    )
    special_needs = models.BooleanField(_("special educational needs"), default=False)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Special-category data: shown only to the class teacher, PE teacher, medical worker
    # and the administration (see people.access).
    health_group = models.CharField(
        _("health group"), max_length=16, choices=HealthGroup.choices, default=HealthGroup.BASIC
    )
    pe_group = models.CharField(
        _("PE group"), max_length=16, choices=PEGroup.choices, default=PEGroup.BASIC
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="student",
    )

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["surname", "given_name", "patronymic"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name(self.surname, self.given_name, self.patronymic)

    @property
    def short_name(self) -> str:
        return short_name(self.surname, self.given_name, self.patronymic)


class Guardian(TimestampedModel):
    """A parent or legal representative; one guardian may have several children."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="guardians",
    )
    surname = models.CharField(_("surname"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guardian",
    )
    children = models.ManyToManyField(
        Student, through="StudentGuardian", related_name="guardians", verbose_name=_("children")
    )

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["surname", "given_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name(self.surname, self.given_name, self.patronymic)


class Relation(models.TextChoices):
    MOTHER = "mother", _("mother")
    FATHER = "father", _("father")
    GRANDPARENT = "grandparent", _("grandparent")
    GUARDIAN = "guardian", _("legal guardian")
    OTHER = "other", _("other")


class StudentGuardian(TimestampedModel):
    student = models.ForeignKey(Student, verbose_name=_("student"), on_delete=models.CASCADE)
    guardian = models.ForeignKey(Guardian, verbose_name=_("guardian"), on_delete=models.CASCADE)
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)

    class Meta:
        verbose_name = _("family link")
        verbose_name_plural = _("family links")
        constraints = [
            models.UniqueConstraint(fields=["student", "guardian"], name="people_family_unique")
        ]


class LeaveReason(models.TextChoices):
    """Why an enrollment ended (empty while it runs, or when ended without a reason)."""

    CLASS_TRANSFER = "class_transfer", _("transferred to another class of the school")
    SCHOOL_TRANSFER = "school_transfer", _("transferred to another school of the community")
    OUTSIDE = "outside", _("transferred to a school outside the community")
    ABROAD = "abroad", _("moved abroad")
    EDUCATION_FORM = "education_form", _("another form of education")
    OTHER = "other", _("other reason")
    PROMOTED = "promoted", _("moved up to the next grade")
    REPEATS = "repeats", _("repeats the grade")
    GRADUATED = "graduated", _("graduated")


class Enrollment(TimestampedModel):
    """A student's membership of a class for a span of dates; history is never rewritten."""

    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="enrollments"
    )
    class_group = models.ForeignKey(
        ClassGroup, verbose_name=_("class"), on_delete=models.PROTECT, related_name="enrollments"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    order_in = models.CharField(_("arrival order"), max_length=60, blank=True)
    order_out = models.CharField(_("leaving order"), max_length=60, blank=True)
    leave_reason = models.CharField(
        _("reason for leaving"), max_length=16, choices=LeaveReason.choices, blank=True
    )
    leave_note = models.CharField(_("note on leaving"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="people_enrollment_dates_ordered",
            ),
            # A reason for leaving belongs to an enrollment that has ended.
            models.CheckConstraint(
                condition=Q(leave_reason="") | Q(ends_on__isnull=False),
                name="people_enrollment_reason_needs_end",
            ),
            models.UniqueConstraint(
                fields=["student", "class_group", "starts_on"], name="people_enrollment_unique"
            ),
        ]
        indexes = [models.Index(fields=["class_group", "starts_on"], name="people_enrol_class_idx")]

    def __str__(self) -> str:
        return f"{self.student} → {self.class_group}"


class SubgroupMember(TimestampedModel):
    subgroup = models.ForeignKey(
        Subgroup, verbose_name=_("subgroup"), on_delete=models.CASCADE, related_name="members"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="subgroups"
    )

    class Meta:
        verbose_name = _("subgroup member")
        verbose_name_plural = _("subgroup members")
        constraints = [
            models.UniqueConstraint(
                fields=["subgroup", "student"], name="people_subgroup_member_unique"
            )
        ]


class AccessCodeKind(models.TextChoices):
    STUDENT = "student", _("student")
    GUARDIAN = "guardian", _("guardian")


class AccessCode(TimestampedModel):
    """A one-time code with which a student or guardian creates their own login.

    Only the SHA-256 of the code is stored; the code itself appears once, on the slip.
    """

    code_hash = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("for"), max_length=16, choices=AccessCodeKind.choices)
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="access_codes"
    )
    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("guardian"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_codes",
    )
    class_group = models.ForeignKey(
        ClassGroup, verbose_name=_("class"), on_delete=models.CASCADE, related_name="access_codes"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("used by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="guardian") | Q(guardian__isnull=True),
                name="people_access_code_guardian_only_for_guardian_codes",
            )
        ]
        indexes = [models.Index(fields=["student", "kind"], name="people_code_student_kind_idx")]


# --- privacy notice, consents and the family's requests (DESIGN S8) --------------------------


class PrivacyNotice(TimestampedModel):
    """One published version of a community's privacy notice. The department publishes a
    new version instead of editing the old one: every acceptance names the version read."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="privacy_notices",
    )
    version = models.PositiveIntegerField(_("version"))
    controller = models.TextField(_("controller of the data"))
    processor = models.TextField(_("processor of the data"))
    purposes = models.TextField(_("purposes of processing"))
    data_categories = models.TextField(_("categories of data"))
    storage = models.TextField(_("where the data is kept"))
    retention = models.TextField(_("how long the data is kept"))
    rights = models.TextField(_("the family's rights"))
    contact = models.TextField(_("whom to contact"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["municipality_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "version"], name="people_privacy_notice_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="people_privacy_notice_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} v{self.version}"


class PrivacyAcceptance(TimestampedModel):
    """A family login read and accepted a version of its community's privacy notice.
    Version 0 is the built-in notice shown before the department published its own."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.CASCADE,
        related_name="privacy_acceptances",
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"))
    notice = models.ForeignKey(
        PrivacyNotice,
        verbose_name=_("privacy notice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="acceptances",
    )
    accepted_at = models.DateTimeField(_("accepted at"))

    class Meta:
        verbose_name = _("acceptance of the privacy notice")
        verbose_name_plural = _("acceptances of the privacy notice")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "version"], name="people_privacy_accept_unique"
            ),
            models.CheckConstraint(
                condition=Q(version=0, notice__isnull=True)
                | Q(version__gte=1, notice__isnull=False),
                name="people_privacy_accept_notice_matches_version",
            ),
        ]


class ConsentPurpose(models.TextChoices):
    # Processing for the journal and the diary is the school's duty by law: it is recorded,
    # and a withdrawal is explained rather than accepted (see people.privacy.services).
    PROCESSING = "processing", _("journal and diary processing")
    NOTIFICATIONS = "notifications", _("e-mail notifications")
    PUBLIC_PAGE = "public_page", _("the public school page")
    PHOTOS = "photos", _("photos in materials")


class ConsentChannel(models.TextChoices):
    APP = "app", _("in the application")
    PAPER = "paper", _("on paper")


def consent_upload_to(instance: Consent, filename: str) -> str:
    return f"consents/{instance.student_id}/{filename}"


class Consent(TimestampedModel):
    """A guardian's (or an adult student's own) consent to one purpose of processing the
    student's data, and its withdrawal. A consent given again after a withdrawal is a new
    row: the register keeps the whole history."""

    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="consents"
    )
    # Empty when the adult student consented for themself.
    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("guardian"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents",
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    channel = models.CharField(_("form"), max_length=8, choices=ConsentChannel.choices)
    given_at = models.DateTimeField(_("given at"))
    document = models.FileField(
        _("scanned document"), upload_to=consent_upload_to, max_length=300, blank=True
    )
    document_name = models.CharField(_("file name"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["student_id", "purpose", "-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "guardian", "purpose"],
                condition=Q(withdrawn_at__isnull=True, guardian__isnull=False),
                name="people_consent_one_active_per_guardian",
            ),
            models.UniqueConstraint(
                fields=["student", "purpose"],
                condition=Q(withdrawn_at__isnull=True, guardian__isnull=True),
                name="people_consent_one_active_of_student",
            ),
            # A consent on paper is kept as its scan.
            models.CheckConstraint(
                condition=Q(channel="app") | ~Q(document=""),
                name="people_consent_paper_has_document",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("given_at")),
                name="people_consent_withdrawn_after_given",
            ),
        ]
        indexes = [models.Index(fields=["student", "purpose"], name="people_consent_student_idx")]

    def __str__(self) -> str:
        return f"{self.student}: {self.get_purpose_display()}"


class FamilyRequestStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")


class CorrectionRequest(TimestampedModel):
    """A family asks for data about the child to be corrected: a task for the class teacher
    of the child's class, open until they answer it."""

    student = models.ForeignKey(
        Student,
        verbose_name=_("student"),
        on_delete=models.PROTECT,
        related_name="correction_requests",
    )
    class_group = models.ForeignKey(
        ClassGroup,
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="correction_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("what is wrong and how it should read"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=FamilyRequestStatus.choices,
        default=FamilyRequestStatus.OPEN,
    )
    answer = models.TextField(_("answer"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | Q(status="done", resolved_at__isnull=False),
                name="people_correction_request_resolved_when_done",
            )
        ]
        indexes = [
            models.Index(fields=["class_group", "status"], name="people_correction_class_idx")
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.get_status_display()}"
