"""Input forms of the lesson page: shape only. The rules of the journal — the scale, a mark
or a comment, «н», the reason after the lesson day — are the services'; the views attach
their ValidationErrors to these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zhurnal.core.forms import TIME
from zhurnal.journal.models import AttendanceStatus, RemarkKind
from zhurnal.journal.scales import Scale
from zhurnal.journal.services import HOMEWORK_EXTENSIONS, change_reason_rule, lesson_mark_kinds
from zhurnal.people.models import Student
from zhurnal.timetable.models import Lesson, LessonPlace

# A lesson lasts 45 minutes at most: later than that is an absence.
LATE_MINUTES_MAX = 45
PRESENT = ""
ATTENDANCE_CHOICES = [
    (PRESENT, _("present")),
    (AttendanceStatus.ABSENT.value, _("absent (н)")),
    (AttendanceStatus.LATE.value, AttendanceStatus.LATE.label),
    (AttendanceStatus.REMOTE.value, AttendanceStatus.REMOTE.label),
]


def _reason_field(lesson: Lesson) -> forms.CharField:
    """The reason for a change; whether it is needed is the services' rule, told as help."""
    return forms.CharField(
        label=_("Reason for the change"),
        max_length=500,
        required=False,
        help_text=change_reason_rule(lesson),
    )


class LessonRecordForm(forms.Form):
    topic = forms.CharField(label=_("Topic of the lesson"), max_length=500, required=False)
    homework = forms.CharField(
        label=_("Homework"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    place = forms.ChoiceField(
        label=_("Where the lesson was held"),
        choices=LessonPlace.choices,
        widget=forms.RadioSelect,
        initial=LessonPlace.CLASSROOM,
    )
    place_changed_at = forms.TimeField(
        label=_("Moved at"),
        required=False,
        widget=TIME,
        help_text=_("When the lesson moved online or to the shelter."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        place = data.get("place")
        if place and place != LessonPlace.CLASSROOM and data.get("place_changed_at") is None:
            self.add_error(
                "place_changed_at",
                _("Enter the time the lesson moved online or to the shelter."),
            )
        return data


def homework_accept() -> str:
    return ",".join(sorted(HOMEWORK_EXTENSIONS))


def homework_limit_mb() -> int:
    return int(settings.ZHURNAL_HOMEWORK_MAX_BYTES) // (1024 * 1024)


class HomeworkFileForm(forms.Form):
    file = forms.FileField(label=_("File for the homework"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.widget.attrs["accept"] = homework_accept()
        field.help_text = _("Up to %(size)s MB. Allowed types: %(types)s.") % {
            "size": homework_limit_mb(),
            "types": ", ".join(sorted(HOMEWORK_EXTENSIONS)),
        }


class AttendanceForm(forms.Form):
    """The register: one status (and minutes, when late) per student of the lesson.

    Field names: `status_<student id>` (empty for present) and `late_<student id>`, then
    `reason`."""

    def __init__(self, *args: Any, lesson: Lesson, students: list[Student], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.students = students
        for student in students:
            self.fields[f"status_{student.pk}"] = forms.ChoiceField(
                label=student.full_name,
                choices=ATTENDANCE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"late_{student.pk}"] = forms.IntegerField(
                label=_("minutes late"),
                min_value=1,
                max_value=LATE_MINUTES_MAX,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "minutes"}),
            )
        # the reason goes last, after the register
        self.fields["reason"] = _reason_field(lesson)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for student in self.students:
            status = data.get(f"status_{student.pk}") or PRESENT
            if status != AttendanceStatus.LATE:
                data[f"late_{student.pk}"] = None
        return data

    def wanted(self) -> dict[int, tuple[str | None, int | None]]:
        """Student id → (status or None for present, minutes late)."""
        data = self.cleaned_data
        return {
            student.pk: (
                data.get(f"status_{student.pk}") or None,
                data.get(f"late_{student.pk}"),
            )
            for student in self.students
        }

    def rows(self) -> list[tuple[Student, forms.BoundField, forms.BoundField]]:
        return [
            (student, self[f"status_{student.pk}"], self[f"late_{student.pk}"])
            for student in self.students
        ]


class MarkForm(forms.Form):
    """A lesson mark: value (absent when the scale has only comments), its kind and an
    optional comment; a `reason` field when `reason_for` names the lesson whose change
    needs one."""

    value = forms.CharField(label=_("Mark"), max_length=16, required=False)
    kind = forms.ChoiceField(label=_("Kind of work"), choices=())
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)

    def __init__(
        self,
        *args: Any,
        scale: Scale,
        students: list[Student] | None = None,
        reason_for: Lesson | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if students is not None:
            # a new mark: for which student of the lesson
            self.fields["student"] = forms.TypedChoiceField(
                coerce=int,
                choices=[(s.pk, s.full_name) for s in students],
                widget=forms.HiddenInput,
            )
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = lesson_mark_kinds()
        if scale.has_marks:
            # the allowed values are told once, above the marks (id "scale-hint")
            self.fields["value"].widget.attrs.update(
                {"size": 4, "autocomplete": "off", "aria-describedby": "scale-hint"}
            )
        else:
            del self.fields["value"]
        if reason_for is not None:
            self.fields["reason"] = _reason_field(reason_for)


class MarkDeleteForm(forms.Form):
    def __init__(self, *args: Any, reason_for: Lesson | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reason_for is not None:
            self.fields["reason"] = _reason_field(reason_for)


class RemarkForm(forms.Form):
    """A remark or praise about one student (the student comes from the address)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=RemarkKind.choices)
    text = forms.CharField(label=_("Remark"), max_length=500)


class RemarkDeleteForm(MarkDeleteForm):
    pass


class LessonSheetForm(LessonRecordForm):
    """The whole lesson on one sheet: the record at the top, then for every student the
    attendance (`status_<id>`, `late_<id>`), a new mark (`value_<id>`, `kind_<id>`,
    `comment_<id>`) and a new remark (`remark_kind_<id>`, `remark_text_<id>`); the reason
    last, when a change needs one."""

    def __init__(
        self,
        *args: Any,
        lesson: Lesson,
        students: list[Student],
        scale: Scale,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.students = students
        kinds = lesson_mark_kinds()
        for student in students:
            pk = student.pk
            self.fields[f"status_{pk}"] = forms.ChoiceField(
                label=_("Attendance"),
                choices=ATTENDANCE_CHOICES,
                required=False,
                widget=forms.RadioSelect(attrs={"data-status": pk}),
            )
            self.fields[f"late_{pk}"] = forms.IntegerField(
                label=_("minutes late"),
                min_value=1,
                max_value=LATE_MINUTES_MAX,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "minutes"}),
            )
            if scale.has_marks:
                self.fields[f"value_{pk}"] = forms.CharField(
                    label=_("Mark"),
                    max_length=16,
                    required=False,
                    widget=forms.TextInput(
                        attrs={
                            "size": 3,
                            "autocomplete": "off",
                            "aria-describedby": "scale-hint",
                            "class": "sheet-value",
                        }
                    ),
                )
            self.fields[f"kind_{pk}"] = forms.ChoiceField(
                label=_("Kind of work"),
                choices=kinds,
                initial=kinds[0][0] if kinds else "",
                required=False,
            )
            self.fields[f"comment_{pk}"] = forms.CharField(
                label=_("Comment"), max_length=500, required=False
            )
            self.fields[f"remark_kind_{pk}"] = forms.ChoiceField(
                label=_("Kind"), choices=RemarkKind.choices, required=False
            )
            self.fields[f"remark_text_{pk}"] = forms.CharField(
                label=_("Remark"), max_length=500, required=False
            )
        self.fields["reason"] = _reason_field(lesson)

    def row(self, student: Student) -> dict[str, forms.BoundField | None]:
        pk = student.pk
        names = ("status", "late", "value", "kind", "comment", "remark_kind", "remark_text")
        return {
            name: self[f"{name}_{pk}"] if f"{name}_{pk}" in self.fields else None for name in names
        }
