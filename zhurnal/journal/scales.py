"""What may be entered: the scale of a school, grade and subject, and the special entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from zhurnal.journal.models import GradingScale, GradingScaleValue, ScaleKind, ScaleRule
from zhurnal.schools.models import Profile, School

ABSENT = "н"
NOT_ASSESSED = "н/а"
EXEMPT = "зв."
# Special entries (DESIGN.md): «н/а» for a topic, term or year; «зв.» exempt — both
# outside any average.
SPECIAL_ENTRIES = {NOT_ASSESSED: NOT_ASSESSED, "на": NOT_ASSESSED, EXEMPT: EXEMPT, "зв": EXEMPT}
# Latin letters that look like the Cyrillic level letters, typed on the wrong layout.
_LOOKALIKES = str.maketrans({"C": "С", "B": "В", "c": "С", "b": "В"})
_PASS = {"зарах.": "зарах.", "зарах": "зарах.", "з": "зарах.", "зар": "зарах."}
_FAIL = {
    "не зарах.": "не зарах.",
    "не зарах": "не зарах.",
    "нз": "не зарах.",
    "незарах": "не зарах.",
}


@dataclass(frozen=True)
class Scale:
    code: str
    name: str
    kind: str
    values: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def has_marks(self) -> bool:
        return self.kind != ScaleKind.COMMENTS

    def describe(self) -> str:
        if self.kind == ScaleKind.NUMERIC:
            numbers = [int(v) for v in self.values.values() if v is not None]
            return _("a whole number from %(low)s to %(high)s") % {
                "low": min(numbers),
                "high": max(numbers),
            }
        return ", ".join(self.values)


def _default_code(profile: str, grade: int) -> str:
    if profile == Profile.RUSSIAN:
        return "comments" if grade <= 1 else "ru-5"
    if grade <= 2:
        return "comments"
    if grade <= 4:
        return "nus-levels"
    return "ua-12"


def load_scales() -> dict[str, Scale]:
    """Every scale with its values: two queries, for a whole page."""
    scales: dict[str, Scale] = {}
    for scale in GradingScale.objects.prefetch_related("values"):
        scales[scale.code] = Scale(
            code=scale.code,
            name=scale.name,
            kind=scale.kind,
            values={v.code: v.numeric_value for v in scale.values.all()},
        )
    return scales


def scale_for(*, school: School, grade: int, subject_id: int | None) -> Scale:
    """The scale for a school, grade and subject: a subject rule, else a whole-grade rule,
    else the profile's default (comments in grades 1–2, NUS levels in 3–4, 12 points).
    Two queries."""
    rules = sorted(
        ScaleRule.objects.filter(school=school, grade_from__lte=grade, grade_to__gte=grade)
        .filter(Q(subject_id=subject_id) | Q(subject__isnull=True))
        .values_list("subject_id", "scale__code"),
        key=lambda rule: rule[0] is None,
    )
    code = rules[0][1] if rules else _default_code(school.municipality.profile, grade)
    # The values with their scale joined: one query; a scale without values (comments
    # only) needs one more to learn its name and kind.
    values = list(GradingScaleValue.objects.filter(scale__code=code).select_related("scale"))
    scale = values[0].scale if values else GradingScale.objects.get(code=code)
    return Scale(
        code=scale.code,
        name=scale.name,
        kind=scale.kind,
        values={v.code: v.numeric_value for v in values},
    )


def normalise_value(scale: Scale, raw: str, *, undated: bool) -> tuple[str, Decimal | None]:
    """The stored form of a typed value and its numeric equivalent; ValidationError in
    the user's language when the value is not allowed here."""
    text = " ".join(raw.strip().split())
    if not text:
        return "", None
    lowered = text.lower()
    if lowered in SPECIAL_ENTRIES:
        special = SPECIAL_ENTRIES[lowered]
        if special == NOT_ASSESSED and not undated:
            raise ValidationError(
                _("«н/а» (not assessed) is entered for a topic, term or year, not for a lesson.")
            )
        return special, None
    if lowered == ABSENT:
        raise ValidationError(_("«н» is an absence: mark it in the attendance, not as a mark."))
    if scale.kind == ScaleKind.COMMENTS:
        raise ValidationError(
            _("In this class and subject there are no marks: write a comment instead.")
        )
    if scale.kind == ScaleKind.PASS_FAIL:
        if lowered in _PASS:
            return _PASS[lowered], None
        if lowered in _FAIL:
            return _FAIL[lowered], None
    elif scale.kind == ScaleKind.LEVELS:
        letter = text.translate(_LOOKALIKES).upper()
        if letter in scale.values:
            return letter, scale.values[letter]
        by_label = {label: code for code, label in _level_labels().items()}
        if lowered in by_label:
            code = by_label[lowered]
            return code, scale.values.get(code)
    elif text in scale.values:
        return text, scale.values[text]
    raise ValidationError(
        _("«%(value)s» is not a mark on the scale «%(scale)s»: enter %(allowed)s.")
        % {"value": text, "scale": scale.name, "allowed": scale.describe()}
    )


def _level_labels() -> dict[str, str]:
    return {"П": "початковий", "С": "середній", "Д": "достатній", "В": "високий"}
