from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from zhurnal.core.models import TimestampedModel


class TrustedCertificate(TimestampedModel):
    """A CA (or signer) certificate the operator trusts for verifying archive signatures."""

    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    subject = models.CharField(_("subject"), max_length=1000)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    der = models.BinaryField(_("certificate (DER)"))

    class Meta:
        ordering = ["subject", "fingerprint"]
        verbose_name = _("trusted certificate")
        verbose_name_plural = _("trusted certificates")

    def __str__(self) -> str:
        return self.subject


class DocumentKind(models.TextChoices):
    """What an archival document is; later registers add their kinds here."""

    CLASS_JOURNAL = "class_journal", _("class journal")
    SUMMARY_SHEET = "summary_sheet", _("achievement summary sheet")
    SUBSTITUTION_REGISTER = "substitution_register", _("register of missed and substituted lessons")


class DocumentState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SIGNED = "signed", _("signed")
    TRANSFERRED = "transferred", _("transferred to archival storage")
    DESTROYED = "destroyed", _("destroyed")


class SignerRole(models.TextChoices):
    DIRECTOR = "director", _("director")
    CLASS_TEACHER = "class_teacher", _("class teacher")


def archive_upload_to(instance: ArchiveDocument, filename: str) -> str:
    group = f"class-{instance.class_group_id}" if instance.class_group_id else "school"
    return (
        f"archive/{instance.school_id}/{instance.year_id}/{instance.kind}/{group}/"
        f"v{instance.version}-{filename}"
    )


class ArchiveDocument(models.Model):
    """One version of one archival document (its container) in the school's archive register.

    Re-archiving adds a version; no version is ever deleted. Destruction removes only the
    container file: the row stays with state «destroyed», and its DestructionAct stays.
    """

    kind = models.CharField(_("document kind"), max_length=32, choices=DocumentKind.choices)
    nomenclature_index = models.CharField(_("nomenclature index"), max_length=50)
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="archive_documents",
    )
    year = models.ForeignKey(
        "schools.AcademicYear",
        verbose_name=_("academic year"),
        on_delete=models.PROTECT,
        related_name="archive_documents",
    )
    class_group = models.ForeignKey(
        "schools.ClassGroup",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="archive_documents",
        null=True,
        blank=True,
    )
    version = models.PositiveIntegerField(_("version"))
    state = models.CharField(
        _("state"), max_length=16, choices=DocumentState.choices, default=DocumentState.DRAFT
    )
    container = models.FileField(
        _("container"), upload_to=archive_upload_to, max_length=300, blank=True
    )
    sha256 = models.CharField(_("SHA-256 of the container"), max_length=64)
    created_at = models.DateTimeField(_("archived at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("archived by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_on = models.DateField(_("year closed on"))
    keep_until = models.DateField(_("keep until"))
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)

    class Meta:
        ordering = ["school", "year", "kind", "class_group", "version"]
        verbose_name = _("archival document")
        verbose_name_plural = _("archival documents")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "school", "year", "class_group", "version"],
                condition=Q(class_group__isnull=False),
                name="archive_doc_class_version_uniq",
            ),
            models.UniqueConstraint(
                fields=["kind", "school", "year", "version"],
                condition=Q(class_group__isnull=True),
                name="archive_doc_school_version_uniq",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="archive_doc_version_min"),
            models.CheckConstraint(
                condition=Q(keep_until__gte=F("closed_on")), name="archive_doc_keep_after_close"
            ),
            models.CheckConstraint(
                condition=Q(state=DocumentState.DESTROYED, destroyed_at__isnull=False)
                | (~Q(state=DocumentState.DESTROYED) & Q(destroyed_at__isnull=True)),
                name="archive_doc_destroyed_at_state",
            ),
            models.CheckConstraint(
                condition=Q(state__in=DocumentState.values), name="archive_doc_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="archive_doc_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.class_group or ''} v{self.version}".strip()


class ArchiveSignature(models.Model):
    """An uploaded detached signature (.p7s) of a document version, with its verification.

    The report is kept whatever it says: a signature no adapter can verify (DSTU 4145) is
    stored as «not verifiable here», never rejected. `accepted` is whether it counts as a
    signature of the document (see zhurnal.archive.register.signature_accepted).
    """

    document = models.ForeignKey(
        ArchiveDocument,
        verbose_name=_("archival document"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    role = models.CharField(_("signed as"), max_length=16, choices=SignerRole.choices)
    data = models.BinaryField(_("signature (.p7s)"))
    sha256 = models.CharField(_("SHA-256 of the signature"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    signer_name = models.CharField(_("signer"), max_length=300, blank=True)
    signer_organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    signer_edrpou = models.CharField(_("EDRPOU"), max_length=20, blank=True)
    signer_drfo = models.CharField(_("DRFO"), max_length=20, blank=True)
    signing_time = models.DateTimeField(_("signing time"), null=True, blank=True)
    integrity = models.CharField(_("integrity"), max_length=16)
    validity = models.CharField(_("validity"), max_length=16)
    chain = models.CharField(_("certificate chain"), max_length=16)
    revocation = models.CharField(_("revocation"), max_length=16)
    level = models.CharField(_("level"), max_length=16, blank=True)
    accepted = models.BooleanField(_("counts as a signature"), default=False)
    report = models.JSONField(_("verification report"), encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["document", "uploaded_at", "pk"]
        verbose_name = _("archive signature")
        verbose_name_plural = _("archive signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "sha256"], name="archive_sig_once_per_document"
            ),
            models.CheckConstraint(
                condition=Q(role__in=SignerRole.values), name="archive_sig_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer_name or '?'} ({self.get_role_display()})"


class DestructionAct(models.Model):
    """The act by which a document version was destroyed: who, when, why. It is never deleted."""

    document = models.OneToOneField(
        ArchiveDocument,
        verbose_name=_("archival document"),
        on_delete=models.PROTECT,
        related_name="destruction_act",
    )
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destroyed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    destroyed_at = models.DateTimeField(_("destroyed at"))
    reason = models.TextField(_("reason"))
    container_name = models.CharField(_("container file"), max_length=300)
    container_sha256 = models.CharField(_("SHA-256 of the container"), max_length=64)

    class Meta:
        ordering = ["-destroyed_at"]
        verbose_name = _("destruction act")
        verbose_name_plural = _("destruction acts")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="archive_act_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.document} — {self.destroyed_at:%Y-%m-%d}"


class YearClosing(models.Model):
    """One closing of a class's year (or, with no class, of the whole school's year).

    `accepted` lists the pre-closing check items the director consciously accepted (their
    codes and texts as shown). A later reopening is a ReopeningAct; this row stays.
    """

    school = models.ForeignKey(
        "schools.School", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.ForeignKey(
        "schools.AcademicYear",
        verbose_name=_("academic year"),
        on_delete=models.PROTECT,
        related_name="closings",
    )
    class_group = models.ForeignKey(
        "schools.ClassGroup",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="closings",
        null=True,
        blank=True,
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"))
    accepted = models.JSONField(
        _("accepted check items"), default=list, blank=True, encoder=DjangoJSONEncoder
    )

    class Meta:
        ordering = ["-closed_at", "-pk"]
        verbose_name = _("year closing")
        verbose_name_plural = _("year closings")

    def __str__(self) -> str:
        return f"{self.class_group or self.year} — {self.closed_at:%Y-%m-%d}"


class ReopeningAct(models.Model):
    """The director's reasoned act reopening a closed class's (or school's) year.

    The department sees every act. Re-closing afterwards packages a new version; nothing
    archived earlier is deleted.
    """

    closing = models.OneToOneField(
        YearClosing,
        verbose_name=_("year closing"),
        on_delete=models.PROTECT,
        related_name="reopening",
    )
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reopened at"))
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["-reopened_at", "-pk"]
        verbose_name = _("reopening act")
        verbose_name_plural = _("reopening acts")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="archive_reopen_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.closing} — {self.reopened_at:%Y-%m-%d}"


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class PackagingJob(models.Model):
    """Background packaging of a closing: one step per document; the page shows its progress.

    `class_groups` are the classes whose journal and summary sheet are packaged;
    `school_documents` adds the school's own registers (missed and substituted lessons).
    """

    school = models.ForeignKey(
        "schools.School", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.ForeignKey(
        "schools.AcademicYear",
        verbose_name=_("academic year"),
        on_delete=models.PROTECT,
        related_name="packaging_jobs",
    )
    closing = models.ForeignKey(
        YearClosing,
        verbose_name=_("year closing"),
        on_delete=models.PROTECT,
        related_name="packaging_jobs",
        null=True,
        blank=True,
    )
    class_groups = models.ManyToManyField(
        "schools.ClassGroup", verbose_name=_("classes"), related_name="+", blank=True
    )
    school_documents = models.BooleanField(_("school registers"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    steps_total = models.PositiveIntegerField(_("steps"), default=0)
    steps_done = models.PositiveIntegerField(_("steps done"), default=0)
    current = models.CharField(_("now packaging"), max_length=300, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    documents = models.ManyToManyField(
        ArchiveDocument, verbose_name=_("documents"), related_name="+", blank=True
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("packaging job")
        verbose_name_plural = _("packaging jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(steps_done__lte=F("steps_total")), name="archive_job_steps_le_total"
            ),
            models.CheckConstraint(
                condition=Q(state__in=JobState.values), name="archive_job_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} #{self.pk} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        return 100 if not self.steps_total else self.steps_done * 100 // self.steps_total
