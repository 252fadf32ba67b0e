"""The hint the system shows for a term or annual mark, and how it was formed.

Only the teacher's explicit value is stored; this is the suggestion and its explanation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from zhurnal.journal.models import Mark, MarkKind
from zhurnal.schools.models import TermMarkMethod

# Weights of the "weighted mean of all marks" method, by kind of work.
KIND_WEIGHTS: dict[str, Decimal] = {
    MarkKind.CURRENT: Decimal(1),
    MarkKind.ORAL: Decimal(1),
    MarkKind.NOTEBOOK: Decimal(1),
    MarkKind.PRACTICAL: Decimal("1.5"),
    MarkKind.TEST: Decimal(2),
    MarkKind.THEMATIC: Decimal(3),
}


@dataclass(frozen=True)
class Proposal:
    value: str
    mean: Decimal | None
    rule: str
    used: list[Mark] = field(default_factory=list)
    # Why there is no value, in words a family understands: which marks the method needs
    # and that there are none of them yet.
    missing: str = ""


def _num(mark: Mark) -> Decimal:
    return mark.numeric_value if mark.numeric_value is not None else Decimal(0)


def _round(mean: Decimal) -> str:
    return str(int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def term_mark_proposal(*, marks: Iterable[Mark], method: str) -> Proposal:
    """Propose a term mark from the term's marks of one student in one journal."""
    numeric = [m for m in marks if m.numeric_value is not None]
    if method == TermMarkMethod.THEMATIC_MEAN:
        used = [m for m in numeric if m.kind == MarkKind.THEMATIC]
        rule = _("mean of the thematic marks")
        if not used:
            return Proposal(
                value="",
                mean=None,
                rule=rule,
                missing=_(
                    "The school's method uses thematic marks only, and there is no "
                    "thematic mark in this term yet: the journal could not suggest a value."
                ),
            )
        mean = sum((_num(m) for m in used), Decimal(0)) / len(used)
    else:
        used = [m for m in numeric if m.kind in KIND_WEIGHTS]
        rule = _("weighted mean of all marks (test ×2, practical ×1.5, thematic ×3, others ×1)")
        if not used:
            return Proposal(
                value="",
                mean=None,
                rule=rule,
                missing=_(
                    "The school's method is the weighted mean of all marks, and there is no "
                    "numeric mark in this term yet: the journal could not suggest a value."
                ),
            )
        total_weight = sum((KIND_WEIGHTS[m.kind] for m in used), Decimal(0))
        mean = sum((KIND_WEIGHTS[m.kind] * _num(m) for m in used), Decimal(0)) / total_weight
    mean = mean.quantize(Decimal("0.01"))
    return Proposal(value=_round(mean), mean=mean, rule=rule, used=used)


def annual_mark_proposal(*, term_marks: Iterable[Mark]) -> Proposal:
    """Mean of the term marks; a corrected term mark replaces the original of its term."""
    by_term: dict[int | None, Mark] = {}
    for mark in term_marks:
        if mark.kind == MarkKind.TERM and mark.term_id not in by_term:
            by_term[mark.term_id] = mark
    for mark in term_marks:
        if mark.kind == MarkKind.CORRECTED:
            by_term[mark.term_id] = mark
    used = [m for m in by_term.values() if m.numeric_value is not None]
    rule = _("mean of the term marks (a corrected term mark is used instead of the original)")
    if not used:
        return Proposal(
            value="",
            mean=None,
            rule=rule,
            missing=_(
                "The annual mark is suggested from the term marks, and there is no numeric "
                "term mark yet: the journal could not suggest a value."
            ),
        )
    mean = (sum((_num(m) for m in used), Decimal(0)) / len(used)).quantize(Decimal("0.01"))
    return Proposal(value=_round(mean), mean=mean, rule=rule, used=used)
