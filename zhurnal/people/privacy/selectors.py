"""Reads on the privacy notice and the consent register (DESIGN S8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhurnal.accounts.models import User
from zhurnal.core.timeutil import local_today
from zhurnal.people.models import (
    Consent,
    ConsentPurpose,
    CorrectionRequest,
    Enrollment,
    FamilyRequestStatus,
    Guardian,
    PrivacyAcceptance,
    PrivacyNotice,
    Student,
)
from zhurnal.people.selectors import RosterRow, class_roster
from zhurnal.schools.models import ClassGroup, Municipality, Profile, School

NOTICE_FIELDS = (
    "controller",
    "processor",
    "purposes",
    "data_categories",
    "storage",
    "retention",
    "rights",
    "contact",
)
# The headings of the notice's parts, as the families read them and the department fills them.
NOTICE_HEADINGS = {
    "controller": gettext_lazy("Controller of the data (the school)"),
    "processor": gettext_lazy("Processor of the data (the department or its operator)"),
    "purposes": gettext_lazy("Purposes of processing"),
    "data_categories": gettext_lazy("Categories of data"),
    "storage": gettext_lazy("Where the data is kept"),
    "retention": gettext_lazy("How long the data is kept"),
    "rights": gettext_lazy("The family's rights"),
    "contact": gettext_lazy("Whom to contact"),
}
ADULT_AGE = 18
NOTICE_VERSION_CACHE_SECONDS = 300


def notice_version_cache_key(municipality_id: int) -> str:
    return f"zhurnal:privacy-notice-version:{municipality_id}"


def notice_current(municipality: Municipality) -> PrivacyNotice | None:
    """The newest published version of the community's notice, or None before the first."""
    return PrivacyNotice.objects.filter(municipality=municipality).order_by("-version").first()


def notice_current_version(municipality_id: int) -> int:
    """The newest published version number (0: none yet); cached, and cleared on publish."""
    key = notice_version_cache_key(municipality_id)
    version = cache.get(key)
    if version is None:
        version = (
            PrivacyNotice.objects.filter(municipality_id=municipality_id)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
            or 0
        )
        cache.set(key, version, NOTICE_VERSION_CACHE_SECONDS)
    return int(version)


def notice_versions(municipality: Municipality) -> QuerySet[PrivacyNotice]:
    """Every published version, newest first."""
    return (
        PrivacyNotice.objects.filter(municipality=municipality)
        .select_related("published_by")
        .order_by("-version")
    )


def is_russian(municipality: Municipality) -> bool:
    """The Russian profile's communities fall under 152-ФЗ, not the Ukrainian law."""
    return municipality.profile == Profile.RUSSIAN


def notice_defaults(municipality: Municipality) -> dict[str, str]:
    """The built-in text of the notice, for a community whose department has not published
    its own: the department's form starts from it."""
    schools = ", ".join(school.name for school in municipality.schools.order_by("name"))
    department = municipality.department_name or _("the education department of %(name)s") % {
        "name": municipality.name
    }
    law = (
        _("Federal Law No. 152-FZ “On Personal Data”")
        if is_russian(municipality)
        else _("the Law of Ukraine “On Personal Data Protection”")
    )
    return {
        "controller": _(
            "The school where the student studies (%(schools)s) is the controller of the "
            "student's and the family's personal data."
        )
        % {"schools": schools or municipality.name},
        "processor": _(
            "%(department)s runs Zhurnal for the community's schools and processes the data "
            "on their behalf."
        )
        % {"department": capfirst(department)},
        "purposes": _(
            "Keeping the class journal and the student's record as the law on education "
            "requires; informing the family about marks, attendance and homework through "
            "the diary; with a separate consent, e-mail notifications, the public school "
            "page and photos in the school's materials. Processing follows %(law)s."
        )
        % {"law": law},
        "data_categories": _(
            "Names, date of birth, sex, address, class and enrollments, marks, attendance "
            "and its reasons, remarks, health and physical education group, guardians' "
            "names, phone numbers and e-mail addresses, the logins' activity."
        ),
        "storage": _(
            "On the community's server operated by the department; the data does not leave "
            "the country and is not passed to third parties."
        ),
        "retention": _(
            "For the years of study and afterwards for the periods the archive rules set "
            "for class journals and students' records."
        ),
        "rights": _(
            "You may know what is held about you and your child, download it, see who of "
            "the staff opened the record, ask for corrections, withdraw an optional consent "
            "at any time, and complain to the Ombudsman (in Ukraine) or the supervisory "
            "authority for personal data."
        ),
        "contact": _("The class teacher, the school's director, or %(department)s.")
        % {"department": department},
    }


def notice_texts(notice: PrivacyNotice | None, municipality: Municipality) -> list[tuple[str, str]]:
    """The parts of a notice with their headings (the built-in text before the first
    published version)."""
    values = (
        {name: getattr(notice, name) for name in NOTICE_FIELDS}
        if notice is not None
        else notice_defaults(municipality)
    )
    return [(str(NOTICE_HEADINGS[name]), values[name]) for name in NOTICE_FIELDS]


def family_municipality(user: User) -> Municipality | None:
    """The community of a family login (a guardian's or a student's), else None."""
    guardian = Guardian.objects.filter(user=user).select_related("municipality").first()
    if guardian is not None:
        return guardian.municipality
    student = Student.objects.filter(user=user).select_related("municipality").first()
    return student.municipality if student is not None else None


def has_accepted(user: User, municipality_id: int, version: int) -> bool:
    return PrivacyAcceptance.objects.filter(
        user=user, municipality_id=municipality_id, version=version
    ).exists()


def acceptances_of(user: User) -> QuerySet[PrivacyAcceptance]:
    """The user's acceptances, newest first."""
    return PrivacyAcceptance.objects.filter(user=user).order_by("-accepted_at", "-pk")


def is_adult(student: Student, today: dt.date | None = None) -> bool:
    """Whether the student is 18 or older: an adult acts for themself."""
    today = today or local_today()
    born = student.birth_date
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return years >= ADULT_AGE


def current_class(student: Student, today: dt.date | None = None) -> ClassGroup | None:
    """The class of an open year the student is enrolled in today, else None."""
    today = today or local_today()
    enrollment = (
        Enrollment.objects.filter(
            student=student, starts_on__lte=today, class_group__year__closed_at__isnull=True
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("class_group__year__school", "class_group__class_teacher")
        .order_by("-starts_on")
        .first()
    )
    return enrollment.class_group if enrollment is not None else None


def consents_of_student(student: Student) -> QuerySet[Consent]:
    """Every consent of the student, given and withdrawn, with who gave it: the register's
    history of one student."""
    return (
        Consent.objects.filter(student=student)
        .select_related("guardian", "recorded_by", "withdrawn_by")
        .order_by("purpose", "-given_at", "-pk")
    )


@dataclass(frozen=True)
class PurposeState:
    purpose: str
    label: str
    consent: Consent | None  # the active one, if given
    is_legal_duty: bool


def family_consents(student: Student, guardian: Guardian | None) -> list[PurposeState]:
    """The active consent of one guardian (None: the adult student themself) per purpose."""
    active = {
        consent.purpose: consent
        for consent in Consent.objects.filter(
            student=student, guardian=guardian, withdrawn_at__isnull=True
        )
    }
    return [
        PurposeState(
            purpose=value,
            label=str(label),
            consent=active.get(value),
            is_legal_duty=value == ConsentPurpose.PROCESSING,
        )
        for value, label in ConsentPurpose.choices
    ]


# --- the class teacher's and the director's register --------------------------------------


@dataclass
class ConsentHolder:
    """A guardian (or the adult student) in the register: acceptance and active consents."""

    name: str
    guardian_id: int | None
    has_login: bool
    accepted_version: int | None = None
    accepted_at: dt.datetime | None = None
    consents: dict[str, Consent] = field(default_factory=dict)

    def consent_for(self, purpose: str) -> Consent | None:
        return self.consents.get(purpose)


@dataclass
class ConsentRow:
    roster: RosterRow
    holders: list[ConsentHolder]

    @property
    def student(self) -> Student:
        return self.roster.student

    @property
    def has_processing_consent(self) -> bool:
        return any(ConsentPurpose.PROCESSING in holder.consents for holder in self.holders)

    def cells(self) -> list[tuple[str, list[tuple[ConsentHolder, Consent]]]]:
        """Per purpose, the holders who consented."""
        return [
            (
                value,
                [
                    (holder, holder.consents[value])
                    for holder in self.holders
                    if value in holder.consents
                ],
            )
            for value in ConsentPurpose.values
        ]


def class_consent_register(
    *, class_group: ClassGroup, day: dt.date, tz_name: str | None = None
) -> list[ConsentRow]:
    """The consent register of a class: every student enrolled on `day`, their guardians
    with the version and time of the notice each accepted, and the active consents per
    purpose. Five queries, whatever the size of the class."""
    roster = class_roster(class_group=class_group, day=day, tz_name=tz_name)
    student_ids = [row.student.pk for row in roster]
    consents: dict[tuple[int, int | None], dict[str, Consent]] = {}
    for consent in Consent.objects.filter(
        student_id__in=student_ids, withdrawn_at__isnull=True
    ).order_by("given_at"):
        consents.setdefault((consent.student_id, consent.guardian_id), {})[consent.purpose] = (
            consent
        )
    user_ids: dict[tuple[int, int | None], int] = {}
    for row in roster:
        if row.student.user_id is not None:
            user_ids[(row.student.pk, None)] = row.student.user_id
        for link in row.student.studentguardian_set.all():
            if link.guardian.user_id is not None:
                user_ids[(row.student.pk, link.guardian_id)] = link.guardian.user_id
    accepted: dict[int, tuple[int, dt.datetime]] = {}
    for user_id, version, at in (
        PrivacyAcceptance.objects.filter(
            user_id__in=set(user_ids.values()),
            municipality_id=class_group.year.school.municipality_id,
        )
        .order_by("version", "accepted_at")
        .values_list("user_id", "version", "accepted_at")
    ):
        accepted[user_id] = (version, at)
    rows = []
    for row in roster:
        holders = []
        for link in row.student.studentguardian_set.all():
            holders.append(
                _holder(
                    link.guardian.full_name,
                    link.guardian_id,
                    user_ids.get((row.student.pk, link.guardian_id)),
                    accepted,
                    consents.get((row.student.pk, link.guardian_id), {}),
                )
            )
        own = consents.get((row.student.pk, None), {})
        if own or is_adult(row.student, day):
            holders.append(
                _holder(
                    _("%(name)s (the student)") % {"name": row.student.full_name},
                    None,
                    user_ids.get((row.student.pk, None)),
                    accepted,
                    own,
                )
            )
        rows.append(ConsentRow(roster=row, holders=holders))
    return rows


def _holder(
    name: str,
    guardian_id: int | None,
    user_id: int | None,
    accepted: dict[int, tuple[int, dt.datetime]],
    consents: dict[str, Consent],
) -> ConsentHolder:
    version, at = accepted.get(user_id, (None, None)) if user_id is not None else (None, None)
    return ConsentHolder(
        name=name,
        guardian_id=guardian_id,
        has_login=user_id is not None,
        accepted_version=version,
        accepted_at=at,
        consents=consents,
    )


@dataclass(frozen=True)
class ClassConsentSummary:
    class_group: ClassGroup
    enrolled: int
    without_consent: int


def school_consent_summary(school: School, day: dt.date) -> list[ClassConsentSummary]:
    """Per class of the school's open years: how many students are enrolled on `day` and how
    many of them have no consent to journal and diary processing yet. Three queries."""
    classes = list(
        ClassGroup.objects.filter(year__school=school, year__closed_at__isnull=True)
        .select_related("year", "class_teacher")
        .order_by("year__starts_on", "grade", "letter")
    )
    enrolled: dict[int, set[int]] = {}
    for class_id, student_id in (
        Enrollment.objects.filter(class_group__in=classes, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .values_list("class_group_id", "student_id")
    ):
        enrolled.setdefault(class_id, set()).add(student_id)
    everyone = set().union(*enrolled.values()) if enrolled else set()
    consented = set(
        Consent.objects.filter(
            student_id__in=everyone,
            purpose=ConsentPurpose.PROCESSING,
            withdrawn_at__isnull=True,
        ).values_list("student_id", flat=True)
    )
    return [
        ClassConsentSummary(
            class_group=class_group,
            enrolled=len(enrolled.get(class_group.pk, set())),
            without_consent=len(enrolled.get(class_group.pk, set()) - consented),
        )
        for class_group in classes
    ]


def open_correction_requests(class_group: ClassGroup) -> QuerySet[CorrectionRequest]:
    """The class teacher's open tasks: the families' correction requests, oldest first."""
    return (
        CorrectionRequest.objects.filter(class_group=class_group, status=FamilyRequestStatus.OPEN)
        .select_related("student", "requested_by")
        .order_by("created_at", "pk")
    )


def correction_requests_of(student: Student) -> QuerySet[CorrectionRequest]:
    """Every correction request about the student, newest first."""
    return CorrectionRequest.objects.filter(student=student).order_by("-created_at", "-pk")


def notifications_withdrawn(*, student_ids: list[int]) -> set[tuple[int, int]]:
    """The (guardian login, student) pairs whose consent to e-mail notifications was
    withdrawn and not given again: such notifications are neither created nor sent.
    One query."""
    state: dict[tuple[int, int], bool] = {}
    for user_id, student_id, withdrawn_at in Consent.objects.filter(
        student_id__in=student_ids,
        purpose=ConsentPurpose.NOTIFICATIONS,
        guardian__user__isnull=False,
    ).values_list("guardian__user_id", "student_id", "withdrawn_at"):
        key = (user_id, student_id)
        # An active consent wins over any earlier withdrawal.
        state[key] = state.get(key, True) and withdrawn_at is not None
    return {key for key, withdrawn in state.items() if withdrawn}
