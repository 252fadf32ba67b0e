"""Checking every row of an import against the file itself and the database, writing nothing.

The same checks run for the preview and again inside the confirmation's transaction.
Messages are for a school administrator: plain words, the value as written, and what to write.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from zhurnal.accounts.models import User
from zhurnal.core.formats import date_ua, full_name
from zhurnal.core.timeutil import local_today
from zhurnal.imports.models import ImportKind
from zhurnal.imports.parsing import Cell, Column, Sheet, SheetRow, is_template_example
from zhurnal.people.models import (
    EducationForm,
    Guardian,
    HealthGroup,
    PEGroup,
    Relation,
    Role,
    Sex,
    StaffMember,
    Student,
)
from zhurnal.schools.models import AcademicYear, ClassGroup, School

NAME_MAX = 100

# ---------------------------------------------------------------- values as people write them


def cell_text(value: Cell) -> str:
    """A cell as text: numbers without a trailing .0, dates as ДД.ММ.РРРР, spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return date_ua(value.date())
    if isinstance(value, dt.date):
        return date_ua(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s+", " ", str(value)).strip()


_DATE_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d")


def parse_date(value: Cell) -> dt.date:
    """ДД.ММ.РРРР (also with / or -), ISO, or an Excel date; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        serial = float(value)
        # Excel serial numbers: 1 Jan 1920 … 31 Dec 2099.
        if 7306 <= serial <= 73050:
            converted = from_excel(serial)
            if isinstance(converted, dt.datetime):
                return converted.date()
        raise ValueError(value)
    text = cell_text(value).replace(" ", "")
    for fmt in _DATE_FORMATS:
        try:
            # a calendar date: the zone given only to satisfy the aware-datetime rule
            return dt.datetime.strptime(text, fmt).replace(tzinfo=dt.UTC).date()
        except ValueError:
            continue
    raise ValueError(value)


# Latin letters that look like Cyrillic ones, as they get typed on an English layout.
_LOOKALIKES = str.maketrans(
    {
        "A": "А",
        "B": "В",
        "C": "С",
        "E": "Е",
        "H": "Н",
        "I": "І",
        "K": "К",
        "M": "М",
        "O": "О",
        "P": "Р",
        "T": "Т",
        "X": "Х",
    }
)
_CLASS_RE = re.compile(r"^(\d{1,2})\s*[-–—.]?\s*([^\W\d_]{1,4})$")


def parse_class_name(value: Cell) -> tuple[int, str]:
    """«5-А», «5А», «5 а», «5-A» (Latin) → (5, "А"); ValueError otherwise."""
    text = cell_text(value).replace('"', "").replace("«", "").replace("»", "").strip()
    match = _CLASS_RE.match(text)
    if not match:
        raise ValueError(value)
    letter = match.group(2).upper().translate(_LOOKALIKES)
    if re.search(r"[A-Z]", letter):
        raise ValueError(value)
    return int(match.group(1)), letter


def _choice(value: Cell, mapping: Mapping[str, str]) -> str:
    key = cell_text(value).lower().replace("'", "").replace("’", "").rstrip(".")
    if key not in mapping:
        raise ValueError(value)
    return mapping[key]


_SEX = {
    "ч": Sex.MALE,
    "чол": Sex.MALE,
    "чоловіча": Sex.MALE,
    "м": Sex.MALE,
    "муж": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "ж": Sex.FEMALE,
    "жін": Sex.FEMALE,
    "жіноча": Sex.FEMALE,
    "жен": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
}
_EDUCATION_FORM = {
    "денна": EducationForm.DAY,
    "очна": EducationForm.DAY,
    "day": EducationForm.DAY,
    "full-time": EducationForm.DAY,
    "індивідуальна": EducationForm.INDIVIDUAL,
    "individual": EducationForm.INDIVIDUAL,
    "сімейна": EducationForm.FAMILY,
    "сімейна (домашня)": EducationForm.FAMILY,
    "домашня": EducationForm.FAMILY,
    "family": EducationForm.FAMILY,
    "дистанційна": EducationForm.DISTANCE,
    "distance": EducationForm.DISTANCE,
}
_HEALTH_GROUP = {
    "основна": HealthGroup.BASIC,
    "basic": HealthGroup.BASIC,
    "підготовча": HealthGroup.PREPARATORY,
    "preparatory": HealthGroup.PREPARATORY,
    "спеціальна": HealthGroup.SPECIAL,
    "special": HealthGroup.SPECIAL,
}
_PE_GROUP = {
    **_HEALTH_GROUP,
    "звільнений": PEGroup.EXEMPT,
    "звільнена": PEGroup.EXEMPT,
    "звільнений(а)": PEGroup.EXEMPT,
    "звільнені": PEGroup.EXEMPT,
    "exempt": PEGroup.EXEMPT,
}
_RELATION = {
    "мати": Relation.MOTHER,
    "мама": Relation.MOTHER,
    "mother": Relation.MOTHER,
    "батько": Relation.FATHER,
    "тато": Relation.FATHER,
    "father": Relation.FATHER,
    "баба": Relation.GRANDPARENT,
    "бабуся": Relation.GRANDPARENT,
    "дід": Relation.GRANDPARENT,
    "дідусь": Relation.GRANDPARENT,
    "grandmother": Relation.GRANDPARENT,
    "grandfather": Relation.GRANDPARENT,
    "grandparent": Relation.GRANDPARENT,
    "опікун": Relation.GUARDIAN,
    "опікунка": Relation.GUARDIAN,
    "піклувальник": Relation.GUARDIAN,
    "guardian": Relation.GUARDIAN,
    "інше": Relation.OTHER,
    "інший": Relation.OTHER,
    "other": Relation.OTHER,
}
_ROLES = {
    "вчитель": Role.TEACHER,
    "учитель": Role.TEACHER,
    "teacher": Role.TEACHER,
    "заступник директора": Role.DEPUTY,
    "заступник": Role.DEPUTY,
    "deputy": Role.DEPUTY,
    "deputy director": Role.DEPUTY,
    "директор": Role.DIRECTOR,
    "director": Role.DIRECTOR,
    "адміністратор": Role.SCHOOL_ADMIN,
    "адміністратор закладу": Role.SCHOOL_ADMIN,
    "admin": Role.SCHOOL_ADMIN,
    "school admin": Role.SCHOOL_ADMIN,
    "медичний працівник": Role.MEDICAL,
    "медпрацівник": Role.MEDICAL,
    "медсестра": Role.MEDICAL,
    "medical": Role.MEDICAL,
    "medical worker": Role.MEDICAL,
}


def normalize_phone(value: Cell) -> str:
    """+380XXXXXXXXX for Ukrainian numbers written any usual way; ValueError if not a phone."""
    text = cell_text(value)
    digits = re.sub(r"\D", "", text)
    if re.search(r"[^\d\s()+\-.]", text):
        raise ValueError(value)
    if len(digits) == 10 and digits.startswith("0"):
        digits = "38" + digits
    elif len(digits) == 9 and not text.startswith("+"):
        digits = "380" + digits
    if not 10 <= len(digits) <= 15:
        raise ValueError(value)
    return "+" + digits


def _email(value: Cell) -> str:
    text = cell_text(value).lower()
    validate_email(text)
    return text


def _name_key(*parts: str) -> tuple[str, ...]:
    return tuple(p.strip().casefold().replace("’", "'").replace("ʼ", "'") for p in parts)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class GuardianData:
    number: int  # 1 or 2, as in the file
    surname: str
    given_name: str
    patronymic: str
    relation: str
    phone: str
    email: str

    @property
    def full_name(self) -> str:
        return full_name(self.surname, self.given_name, self.patronymic)


@dataclass(frozen=True)
class StudentData:
    surname: str
    given_name: str
    patronymic: str
    birth_date: dt.date
    sex: str
    class_group: ClassGroup
    personal_file_number: str
    enrolled_on: dt.date
    education_form: str
    health_group: str
    pe_group: str
    guardians: tuple[GuardianData, ...]


@dataclass(frozen=True)
class StaffData:
    surname: str
    given_name: str
    patronymic: str
    email: str
    phone: str
    position: str
    qualification: str
    roles: tuple[str, ...]
    class_group: ClassGroup | None
    existing_user: User | None


@dataclass
class RowResult:
    number: int
    cells: list[str]
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: StudentData | StaffData | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_messages(self) -> list[str]:
        return [
            _("Row %(number)s: %(error)s") % {"number": self.number, "error": error}
            for error in self.errors
        ]


@dataclass
class Preview:
    kind: str
    year: AcademicYear
    columns: list[Column]
    rows: list[RowResult]

    @property
    def ok_count(self) -> int:
        return sum(1 for row in self.rows if row.ok)

    @property
    def error_count(self) -> int:
        return len(self.rows) - self.ok_count

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def error_messages(self) -> list[str]:
        return [message for row in self.rows for message in row.error_messages()]


# ---------------------------------------------------------------- shared row checks


class _Row:
    """Reads the cells of one row, collecting errors instead of stopping at the first."""

    def __init__(self, sheet_row: SheetRow, columns: list[Column]) -> None:
        self.values = sheet_row.values
        self.result = RowResult(
            number=sheet_row.number,
            cells=[cell_text(sheet_row.values.get(c.key)) for c in columns],
        )

    def error(self, message: str) -> None:
        self.result.errors.append(message)

    def text(self, key: str, label: str, *, required: bool = False, max_length: int = 0) -> str:
        value = cell_text(self.values.get(key))
        if required and not value:
            self.error(_("%(field)s is required") % {"field": label})
        if max_length and len(value) > max_length:
            self.error(
                _("%(field)s is too long (at most %(max)s characters)")
                % {"field": label, "max": max_length}
            )
        return value

    def date(self, key: str, label: str, *, required: bool) -> dt.date | None:
        value = self.values.get(key)
        if not cell_text(value):
            if required:
                self.error(_("%(field)s is required") % {"field": label})
            return None
        try:
            return parse_date(value)
        except (ValueError, OverflowError):
            self.error(
                _("%(field)s '%(value)s' is not a valid date (DD.MM.YYYY)")
                % {"field": label, "value": cell_text(value)}
            )
            return None

    def choice(
        self, key: str, label: str, mapping: Mapping[str, str], allowed: str, default: str = ""
    ) -> str:
        value = self.values.get(key)
        if not cell_text(value):
            if not default:
                self.error(_("%(field)s is required") % {"field": label})
            return default
        try:
            return _choice(value, mapping)
        except ValueError:
            self.error(
                _("%(field)s '%(value)s' is not recognised: write %(allowed)s")
                % {"field": label, "value": cell_text(value), "allowed": allowed}
            )
            return default

    def class_group(
        self, key: str, classes: dict[tuple[int, str], ClassGroup], year: AcademicYear
    ) -> ClassGroup | None:
        value = self.values.get(key)
        try:
            grade, letter = parse_class_name(value)
        except ValueError:
            self.error(
                _("class '%(value)s' is not recognised: write it like 5-А")
                % {"value": cell_text(value)}
            )
            return None
        class_group = classes.get((grade, letter))
        if class_group is None:
            self.error(
                _("class %(class)s does not exist in %(year)s")
                % {"class": f"{grade}-{letter}", "year": year.name}
            )
        return class_group


def _classes_of(year: AcademicYear) -> dict[tuple[int, str], ClassGroup]:
    return {
        (c.grade, c.letter.upper().translate(_LOOKALIKES)): c
        for c in ClassGroup.objects.filter(year=year).select_related("year", "class_teacher")
    }


# ---------------------------------------------------------------- students


def _student_guardian(
    row: _Row, number: int, seen: dict[str, tuple[int, tuple[str, ...]]]
) -> GuardianData | None:
    prefix = f"guardian{number}_"
    if not any(cell_text(row.values.get(prefix + part)) for part in ("name", "phone", "email")):
        if cell_text(row.values.get(prefix + "relation")):
            row.error(_("guardian %(n)s: the full name is required") % {"n": number})
        return None
    errors_before = len(row.result.errors)
    name = cell_text(row.values.get(prefix + "name"))
    parts = name.split(" ") if name else []
    if not name:
        row.error(_("guardian %(n)s: the full name is required") % {"n": number})
    elif len(parts) < 2:
        row.error(
            _("guardian %(n)s: full name '%(value)s' needs at least a surname and a given name")
            % {"n": number, "value": name}
        )
    elif any(len(part) > NAME_MAX for part in parts):
        row.error(_("guardian %(n)s: the full name is too long") % {"n": number})
    surname, given_name = [*parts, "", ""][:2]
    patronymic = " ".join(parts[2:])

    relation_value = row.values.get(prefix + "relation")
    relation: str = Relation.OTHER
    if cell_text(relation_value):
        try:
            relation = _choice(relation_value, _RELATION)
        except ValueError:
            row.error(
                _(
                    "guardian %(n)s: relation '%(value)s' is not recognised: "
                    "write мати, батько, баба, дід, опікун or інше"
                )
                % {"n": number, "value": cell_text(relation_value)}
            )
    phone = ""
    if cell_text(row.values.get(prefix + "phone")):
        try:
            phone = normalize_phone(row.values.get(prefix + "phone"))
        except ValueError:
            row.error(
                _("guardian %(n)s: phone '%(value)s' is not a valid phone number")
                % {"n": number, "value": cell_text(row.values.get(prefix + "phone"))}
            )
    email = ""
    if cell_text(row.values.get(prefix + "email")):
        try:
            email = _email(row.values.get(prefix + "email"))
        except ValidationError:
            row.error(
                _("guardian %(n)s: e-mail '%(value)s' is not a valid e-mail address")
                % {"n": number, "value": cell_text(row.values.get(prefix + "email"))}
            )
    if len(row.result.errors) > errors_before:
        return None
    if email:
        # One e-mail, one person: a guardian's login sees the children linked to it.
        key = _name_key(surname, given_name)
        earlier = seen.get(email)
        if earlier is not None and earlier[1] != key:
            row.error(
                _("guardian %(n)s: e-mail %(email)s is given for another person in row %(row)s")
                % {"n": number, "email": email, "row": earlier[0]}
            )
            return None
        seen.setdefault(email, (row.result.number, key))
    return GuardianData(
        number=number,
        surname=surname,
        given_name=given_name,
        patronymic=patronymic,
        relation=relation,
        phone=phone,
        email=email,
    )


def guardian_existing(municipality_id: int, data: GuardianData) -> Guardian | None:
    """The community's guardian this row means: the same e-mail, or the same name and phone."""
    if data.email:
        by_email = (
            Guardian.objects.filter(municipality_id=municipality_id, email__iexact=data.email)
            .order_by("id")
            .first()
        )
        if by_email is not None:
            return by_email
    if data.phone:
        for candidate in Guardian.objects.filter(
            municipality_id=municipality_id,
            surname__iexact=data.surname,
            given_name__iexact=data.given_name,
            patronymic__iexact=data.patronymic,
        ).order_by("id"):
            try:
                if normalize_phone(candidate.phone) == data.phone:
                    return candidate
            except ValueError:
                continue
    return None


def _validate_students(school: School, year: AcademicYear, sheet: Sheet) -> list[RowResult]:
    classes = _classes_of(year)
    today = local_today(school.municipality.time_zone)
    default_enrolled_on = min(max(year.starts_on, today), year.ends_on)

    school_students = Student.objects.filter(enrollments__class_group__year__school=school)
    in_school = {
        (*_name_key(s.surname, s.given_name, s.patronymic), s.birth_date.isoformat())
        for s in school_students.distinct()
    }
    file_numbers_in_school = {
        number.casefold(): name
        for number, name in school_students.exclude(personal_file_number="")
        .values_list("personal_file_number", "surname")
        .distinct()
    }
    guardian_emails = {
        cell_text(r.values.get(f"guardian{n}_email")).lower() for r in sheet.rows for n in (1, 2)
    } - {""}
    guardians_by_email: dict[str, Guardian] = {}
    for known in (
        Guardian.objects.annotate(email_lower=Lower("email"))
        .filter(municipality=school.municipality, email_lower__in=guardian_emails)
        .order_by("-id")
    ):
        guardians_by_email[known.email.lower()] = known

    seen_people: dict[tuple[str, ...], int] = {}
    seen_file_numbers: dict[str, int] = {}
    seen_guardian_emails: dict[str, tuple[int, tuple[str, ...]]] = {}
    results: list[RowResult] = []
    for sheet_row in sheet.rows:
        row = _Row(sheet_row, sheet.columns)
        results.append(row.result)
        if is_template_example(ImportKind.STUDENTS, row.values):
            row.error(_("this is the example row of the template: delete it"))
            continue
        surname = row.text("surname", _("surname"), required=True, max_length=NAME_MAX)
        given_name = row.text("given_name", _("given name"), required=True, max_length=NAME_MAX)
        patronymic = row.text("patronymic", _("patronymic"), max_length=NAME_MAX)
        birth_date = row.date("birth_date", _("date of birth"), required=True)
        if birth_date is not None:
            age = year.starts_on.year - birth_date.year
            if not 3 <= age <= 25:
                row.error(
                    _("date of birth %(value)s is not plausible for a student")
                    % {"value": date_ua(birth_date)}
                )
        sex = row.choice("sex", _("sex"), _SEX, "ч / ж")
        class_group = row.class_group("class_name", classes, year)
        file_number = row.text("personal_file_number", _("personal file number"), max_length=40)
        enrolled_on = row.date("enrolled_on", _("date of enrollment"), required=False)
        if enrolled_on is not None and not year.starts_on <= enrolled_on <= year.ends_on:
            row.error(
                _("date of enrollment %(value)s is outside the academic year %(year)s")
                % {"value": date_ua(enrolled_on), "year": year.name}
            )
        education_form = row.choice(
            "education_form",
            _("form of education"),
            _EDUCATION_FORM,
            "денна, індивідуальна, сімейна, дистанційна",
            EducationForm.DAY,
        )
        health_group = row.choice(
            "health_group",
            _("health group"),
            _HEALTH_GROUP,
            "основна, підготовча, спеціальна",
            HealthGroup.BASIC,
        )
        pe_group = row.choice(
            "pe_group",
            _("PE group"),
            _PE_GROUP,
            "основна, підготовча, спеціальна, звільнений",
            PEGroup.BASIC,
        )
        guardians = [
            g
            for g in (_student_guardian(row, n, seen_guardian_emails) for n in (1, 2))
            if g is not None
        ]
        for guardian in guardians:
            existing = guardians_by_email.get(guardian.email) if guardian.email else None
            if existing is not None and _name_key(existing.surname, existing.given_name) != (
                _name_key(guardian.surname, guardian.given_name)
            ):
                row.error(
                    _("guardian %(n)s: e-mail %(email)s already belongs to %(name)s")
                    % {"n": guardian.number, "email": guardian.email, "name": existing.full_name}
                )
            elif existing is not None:
                row.result.notes.append(
                    _("guardian %(n)s is already known: %(name)s")
                    % {"n": guardian.number, "name": existing.full_name}
                )

        if surname and given_name and birth_date:
            person = (*_name_key(surname, given_name, patronymic), birth_date.isoformat())
            if person in seen_people:
                row.error(_("the same student as in row %(row)s") % {"row": seen_people[person]})
            else:
                seen_people[person] = row.result.number
            if person in in_school:
                row.error(
                    _("%(name)s, born %(date)s, is already a student of this school")
                    % {
                        "name": full_name(surname, given_name, patronymic),
                        "date": date_ua(birth_date),
                    }
                )
        if file_number:
            key = file_number.casefold()
            if key in seen_file_numbers:
                row.error(
                    _("personal file number %(value)s is already used in row %(row)s")
                    % {"value": file_number, "row": seen_file_numbers[key]}
                )
            else:
                seen_file_numbers[key] = row.result.number
            if key in file_numbers_in_school:
                row.error(
                    _("personal file number %(value)s already belongs to a student of this school")
                    % {"value": file_number}
                )

        if row.result.errors:
            continue
        assert birth_date is not None and class_group is not None
        row.result.data = StudentData(
            surname=surname,
            given_name=given_name,
            patronymic=patronymic,
            birth_date=birth_date,
            sex=sex,
            class_group=class_group,
            personal_file_number=file_number,
            enrolled_on=enrolled_on or default_enrolled_on,
            education_form=education_form,
            health_group=health_group,
            pe_group=pe_group,
            guardians=tuple(guardians),
        )
    return results


# ---------------------------------------------------------------- staff


def _validate_staff(school: School, year: AcademicYear, sheet: Sheet) -> list[RowResult]:
    classes = _classes_of(year)
    emails = {cell_text(r.values.get("email")).lower() for r in sheet.rows} - {""}
    users_by_email: dict[str, User] = {
        user.email.lower(): user
        for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    staff_user_ids = set(
        StaffMember.objects.filter(user__in=list(users_by_email.values())).values_list(
            "user_id", flat=True
        )
    )
    school_staff = StaffMember.objects.filter(school=school).select_related("user")
    staff_here = {member.user_id for member in school_staff}
    names_here = {
        _name_key(m.user.last_name, m.user.first_name, m.user.patronymic): m.user
        for m in school_staff
    }
    allowed_roles = "вчитель, заступник директора, директор, адміністратор, медичний працівник"

    seen_emails: dict[str, int] = {}
    seen_people: dict[tuple[str, ...], int] = {}
    seen_classes: dict[int, int] = {}
    results: list[RowResult] = []
    for sheet_row in sheet.rows:
        row = _Row(sheet_row, sheet.columns)
        results.append(row.result)
        if is_template_example(ImportKind.STAFF, row.values):
            row.error(_("this is the example row of the template: delete it"))
            continue
        surname = row.text("surname", _("surname"), required=True, max_length=NAME_MAX)
        given_name = row.text("given_name", _("given name"), required=True, max_length=NAME_MAX)
        patronymic = row.text("patronymic", _("patronymic"), max_length=NAME_MAX)
        position = row.text("position", _("position"), required=True, max_length=120)
        qualification = row.text("qualification", _("qualification category"), max_length=120)

        email = ""
        existing_user: User | None = None
        if cell_text(row.values.get("email")):
            try:
                email = _email(row.values.get("email"))
            except ValidationError:
                row.error(
                    _("e-mail '%(value)s' is not a valid e-mail address")
                    % {"value": cell_text(row.values.get("email"))}
                )
        if email:
            if email in seen_emails:
                row.error(
                    _("e-mail %(email)s is already used in row %(row)s")
                    % {"email": email, "row": seen_emails[email]}
                )
            seen_emails.setdefault(email, row.result.number)
            existing_user = users_by_email.get(email)
            if existing_user is not None:
                same_person = _name_key(existing_user.last_name, existing_user.first_name) == (
                    _name_key(surname, given_name)
                )
                if existing_user.pk in staff_here:
                    row.error(
                        _("%(name)s already works at this school")
                        % {"name": existing_user.full_name}
                    )
                elif existing_user.pk not in staff_user_ids or not same_person:
                    # Reusing someone else's login would hand them this school.
                    row.error(
                        _("e-mail %(email)s is already used by another account") % {"email": email}
                    )
                else:
                    row.result.notes.append(
                        _("works at another school of the community: login %(username)s is reused")
                        % {"username": existing_user.username}
                    )
        phone = ""
        if cell_text(row.values.get("phone")):
            try:
                phone = normalize_phone(row.values.get("phone"))
            except ValueError:
                row.error(
                    _("phone '%(value)s' is not a valid phone number")
                    % {"value": cell_text(row.values.get("phone"))}
                )

        roles: list[str] = []
        roles_text = cell_text(row.values.get("roles"))
        for part in re.split(r"[,;\n]+", roles_text):
            name = part.strip().lower().rstrip(".")
            if not name:
                continue
            role = _ROLES.get(name)
            if role is None:
                row.error(
                    _("role '%(value)s' is not recognised: write %(allowed)s")
                    % {"value": part.strip(), "allowed": allowed_roles}
                )
            elif role not in roles:
                roles.append(role)
        if not roles_text:
            roles = [Role.TEACHER]

        class_group: ClassGroup | None = None
        if cell_text(row.values.get("class_teacher_of")):
            class_group = row.class_group("class_teacher_of", classes, year)
        if class_group is not None:
            if class_group.pk in seen_classes:
                row.error(
                    _("class %(class)s is already given to the class teacher in row %(row)s")
                    % {"class": class_group.name, "row": seen_classes[class_group.pk]}
                )
            seen_classes.setdefault(class_group.pk, row.result.number)
            teacher = class_group.class_teacher
            if teacher is not None and (existing_user is None or teacher.pk != existing_user.pk):
                row.error(
                    _("class %(class)s already has a class teacher: %(name)s")
                    % {"class": class_group.name, "name": teacher.full_name}
                )

        if surname and given_name:
            person = _name_key(surname, given_name, patronymic)
            if person in seen_people and not email:
                row.error(_("the same person as in row %(row)s") % {"row": seen_people[person]})
            seen_people.setdefault(person, row.result.number)
            if person in names_here and existing_user is None:
                row.error(
                    _("%(name)s already works at this school")
                    % {"name": names_here[person].full_name}
                )

        if row.result.errors:
            continue
        row.result.data = StaffData(
            surname=surname,
            given_name=given_name,
            patronymic=patronymic,
            email=email,
            phone=phone,
            position=position,
            qualification=qualification,
            roles=tuple(roles),
            class_group=class_group,
            existing_user=existing_user,
        )
    return results


_VALIDATORS: dict[str, Callable[[School, AcademicYear, Sheet], list[RowResult]]] = {
    ImportKind.STUDENTS: _validate_students,
    ImportKind.STAFF: _validate_staff,
}


def rows_validate(*, school: School, year: AcademicYear, kind: str, sheet: Sheet) -> Preview:
    """Check every row; the database is only read. A row with no errors carries its data."""
    rows = _VALIDATORS[kind](school, year, sheet)
    return Preview(kind=kind, year=year, columns=sheet.columns, rows=rows)
