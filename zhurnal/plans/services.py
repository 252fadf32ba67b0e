"""Writes of calendar plans: the plan's themes and topics replaced at once, its status
(draft → submitted → approved, or returned with a note), templates published and copied.
Each write checks that the class's year is open and appends one audit event."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record
from zhurnal.people.access import JOURNAL_CONTROLLERS, role_school_ids
from zhurnal.plans.importing import ParsedPlan, ParsedTheme, ParsedTopic, plan_text
from zhurnal.plans.models import Plan, PlanStatus, PlanTemplate, PlanTheme, PlanTopic, TemplateScope
from zhurnal.schools.models import Term
from zhurnal.schools.services import ensure_class_open
from zhurnal.timetable.models import TeachingAssignment


def _school_id(assignment: TeachingAssignment) -> int:
    return assignment.year.school_id


def _ensure_teacher(actor: User, assignment: TeachingAssignment) -> None:
    if assignment.teacher_id != actor.pk:
        raise PermissionDenied(_("Only the teacher of this class and subject can write the plan."))


def _ensure_writable(assignment: TeachingAssignment) -> None:
    if assignment.class_group.year_id == assignment.year_id:
        assignment.class_group.year = assignment.year
    ensure_class_open(assignment.class_group)


def _ensure_controller(actor: User, plan: Plan) -> None:
    school_id = _school_id(plan.assignment)
    if not role_school_ids(actor, JOURNAL_CONTROLLERS).filter(school_id=school_id).exists():
        raise PermissionDenied(_("Only the director or a deputy director approves plans."))


def _summary(themes: list[ParsedTheme]) -> dict[str, int]:
    return {
        "themes": len(themes),
        "topics": sum(len(t.topics) for t in themes),
        "hours": sum(topic.hours for t in themes for topic in t.topics),
    }


def plan_themes(plan: Plan) -> list[ParsedTheme]:
    """The plan's themes and topics as the parser gives them (for its text and templates)."""
    themes = {
        theme.pk: ParsedTheme(name=theme.name, hours=theme.hours) for theme in plan.themes.all()
    }
    for topic in plan.topics.all():
        themes[topic.theme_id].topics.append(ParsedTopic(title=topic.title, hours=topic.hours))
    return list(themes.values())


def plan_save(
    *, actor: User, assignment: TeachingAssignment, term: Term, parsed: ParsedPlan
) -> Plan:
    """Replace the plan of the assignment in the term by `parsed` (created if missing). A
    plan that was submitted or approved goes back to draft: the deputy sees the change."""
    _ensure_teacher(actor, assignment)
    _ensure_writable(assignment)
    if parsed.errors:
        raise ValidationError(parsed.errors)
    if term.year_id != assignment.year_id:
        raise ValidationError(_("The term is not of this assignment’s year."))
    with transaction.atomic():
        plan, created = Plan.objects.select_for_update().get_or_create(
            assignment=assignment, term=term
        )
        before = None
        if not created:
            before = {"status": plan.status, **_summary(plan_themes(plan))}
        plan.topics.all().delete()
        plan.themes.all().delete()
        themes = PlanTheme.objects.bulk_create(
            PlanTheme(plan=plan, number=number, name=theme.name[:300], hours=theme.total_hours)
            for number, theme in enumerate(parsed.themes, start=1)
        )
        position = 0
        topics = []
        for theme_row, theme in zip(themes, parsed.themes, strict=True):
            for topic in theme.topics:
                position += 1
                topics.append(
                    PlanTopic(
                        plan=plan,
                        theme=theme_row,
                        position=position,
                        title=topic.title,
                        hours=topic.hours,
                    )
                )
        PlanTopic.objects.bulk_create(topics)
        plan.status = PlanStatus.DRAFT
        plan.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="plan.save",
            obj=plan,
            before=before,
            after={"status": plan.status, **_summary(parsed.themes)},
            school_id=_school_id(assignment),
        )
    return plan


def plan_submit(*, actor: User, plan: Plan) -> Plan:
    """The teacher sends the plan to the deputy director for approval."""
    _ensure_teacher(actor, plan.assignment)
    _ensure_writable(plan.assignment)
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise ValidationError(_("This plan is already submitted or approved."))
    if not plan.topics.exists():
        raise ValidationError(_("An empty plan cannot be submitted."))
    return _set_status(actor=actor, plan=plan, status=PlanStatus.SUBMITTED, action="plan.submit")


def plan_approve(*, actor: User, plan: Plan) -> Plan:
    """The director or a deputy director approves a submitted plan."""
    _ensure_controller(actor, plan)
    _ensure_writable(plan.assignment)
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted plan can be approved."))
    return _set_status(actor=actor, plan=plan, status=PlanStatus.APPROVED, action="plan.approve")


def plan_return(*, actor: User, plan: Plan, note: str) -> Plan:
    """The director or a deputy director returns a plan to its teacher with a note."""
    _ensure_controller(actor, plan)
    _ensure_writable(plan.assignment)
    if plan.status not in (PlanStatus.SUBMITTED, PlanStatus.APPROVED):
        raise ValidationError(_("Only a submitted or approved plan can be returned."))
    if not note.strip():
        raise ValidationError({"note": _("Write what should be changed.")})
    return _set_status(
        actor=actor, plan=plan, status=PlanStatus.RETURNED, action="plan.return", note=note
    )


def _set_status(*, actor: User, plan: Plan, status: str, action: str, note: str = "") -> Plan:
    with transaction.atomic():
        before = {"status": plan.status}
        plan.status = status
        fields = ["status", "updated_at"]
        if action != "plan.submit":
            plan.decided_by = actor
            plan.decided_at = timezone.now()
            plan.note = note.strip()
            fields += ["decided_by", "decided_at", "note"]
        plan.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=action,
            obj=plan,
            before=before,
            after={"status": status, "note": plan.note},
            school_id=_school_id(plan.assignment),
        )
    return plan


def template_publish(
    *, actor: User, plan: Plan, title: str, scope: str = TemplateScope.SCHOOL
) -> PlanTemplate:
    """Publish the plan's themes and topics as a template for the school or the community."""
    assignment = plan.assignment
    if assignment.teacher_id != actor.pk:
        _ensure_controller(actor, plan)
    themes = plan_themes(plan)
    if not any(theme.topics for theme in themes):
        raise ValidationError(_("An empty plan cannot be published."))
    if scope not in TemplateScope.values:
        raise ValidationError(_("Choose with whom to share the template."))
    school = assignment.year.school
    with transaction.atomic():
        template = PlanTemplate.objects.create(
            municipality_id=school.municipality_id,
            school=school,
            scope=scope,
            author=actor,
            grade=assignment.class_group.grade,
            subject_name=assignment.subject.name,
            title=title.strip()[:200] or str(assignment.subject),
            text=plan_text(themes),
        )
        audit_record(
            actor=actor,
            action="plan.template_publish",
            obj=template,
            after={"plan": plan.pk, "scope": scope, "title": template.title},
            school_id=school.pk,
        )
    return template


def template_delete(*, actor: User, template: PlanTemplate) -> None:
    """The author withdraws a template; plans copied from it stay as they are."""
    if template.author_id != actor.pk:
        raise PermissionDenied(_("Only the author withdraws a template."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="plan.template_delete",
            obj=template,
            before={"title": template.title},
            school_id=template.school_id,
        )
        template.delete()
