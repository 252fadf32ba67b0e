"""Packaging a closed year into archival documents, in the background, one step per document.

`packaging_start` (called by the year's closing) writes the job and queues its run once
the closing commits. The run checks the audit chain once, then packages class after class —
each class only if its journal still agrees with the audit log — and the school's own
registers. Every document is built outside any transaction (the slow part: its PDF), then
registered by `archive_document_add`; after each step the job's progress is written in its
own short transaction, so the page polling it sees it move and no lock is held for long.
Run as a task, the steps are queued one task per class, so that several workers share them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.archive.models import ArchiveDocument, JobState, PackagingJob, YearClosing
from zhurnal.archive.packaging.builders import DocumentBuilder, Scope, builders
from zhurnal.archive.register import archive_document_add
from zhurnal.audit.integrity import integrity_check
from zhurnal.audit.services import audit_record
from zhurnal.core.timeutil import school_tz
from zhurnal.schools.models import AcademicYear, ClassGroup

logger = logging.getLogger(__name__)

# How many findings an error names before "…": enough to say what is wrong.
FINDINGS_SHOWN = 3


def class_steps() -> int:
    """Documents packaged per class: the class journal and the achievement summary sheet."""
    return len(builders(per_class=True))


def school_steps() -> int:
    """Documents of the school's year: the register of missed and substituted lessons."""
    return len(builders(per_class=False))


def packaging_start(
    *,
    actor: User,
    year: AcademicYear,
    closing: YearClosing | None,
    class_groups: Sequence[ClassGroup],
    school_documents: bool,
) -> PackagingJob:
    """Queue the packaging of the classes' documents (and of the school's registers).

    The job is written in the caller's transaction and audited; its run is queued once
    that transaction commits, so a closing that rolls back packages nothing.
    """
    from zhurnal.archive.packaging.tasks import packaging_run_task

    with transaction.atomic():
        job = PackagingJob.objects.create(
            school_id=year.school_id,
            year=year,
            closing=closing,
            school_documents=school_documents,
            requested_by=actor,
            steps_total=class_steps() * len(class_groups)
            + (school_steps() if school_documents else 0),
        )
        job.class_groups.set(class_groups)
        audit_record(
            actor=actor,
            action="archive.packaging_start",
            obj=job,
            after={
                "year_id": year.pk,
                "closing_id": closing.pk if closing else None,
                "class_group_ids": sorted(group.pk for group in class_groups),
                "school_documents": school_documents,
                "steps_total": job.steps_total,
            },
            school_id=year.school_id,
        )
        job_id = job.pk
        transaction.on_commit(lambda: packaging_run_task.enqueue(job_id=job_id))
    return job


def packaging_run(job_id: int, *, fan_out: bool = False) -> PackagingJob:
    """Package every document of a queued job: queued → running → done (or failed).

    Inline (the default) every step runs here, one after the other; with `fan_out` each
    class's step (and the school's) is queued as its own task and the last one to finish
    closes the job. A job that is not queued any more (a task run twice) is left alone.
    """
    from zhurnal.archive.packaging.tasks import packaging_step_task

    with transaction.atomic():
        job = PackagingJob.objects.select_for_update().get(pk=job_id)
        if job.state != JobState.QUEUED:
            return job
        job.state = JobState.RUNNING
        job.started_at = timezone.now()
        job.current = _("Checking the audit log")
        job.save(update_fields=["state", "started_at", "current"])
    # The chain and its signed heads are the whole school's: checked once per job.
    chain = integrity_check(tables=(), chain=True)
    chain_findings = [str(finding) for finding in chain.findings]
    if chain.chain is not None and chain.chain.broken_id is not None:
        chain_findings.insert(
            0, _("the audit chain is broken at event #%(id)s") % {"id": chain.chain.broken_id}
        )
    steps: list[int | None] = list(
        job.class_groups.order_by("grade", "letter", "pk").values_list("pk", flat=True)
    )
    if job.school_documents:
        steps.append(None)
    if not steps:
        _advance(job.pk, steps=0)
    for class_group_id in steps:
        if fan_out:
            packaging_step_task.enqueue(
                job_id=job.pk, class_group_id=class_group_id, chain_findings=chain_findings
            )
        else:
            packaging_step(job.pk, class_group_id=class_group_id, chain_findings=chain_findings)
    job.refresh_from_db()
    return job


def packaging_step(
    job_id: int, *, class_group_id: int | None, chain_findings: Sequence[str] = ()
) -> list[ArchiveDocument]:
    """Package one class's documents (or, with no class, the school's); returns those added.

    A class whose journal does not agree with the audit log (or when the chain itself is
    broken) is refused: the job's errors name it with the first findings, and its steps
    count as done so that the others go on. A document that fails to build is named in
    the errors the same way; documents that did build stay.
    """
    job = PackagingJob.objects.select_related(
        "year__school__municipality", "closing", "requested_by"
    ).get(pk=job_id)
    if class_group_id is None:
        return _package(job, Scope(year=job.year), builders(per_class=False))
    class_group = ClassGroup.objects.select_related(
        "year__school__municipality", "class_teacher"
    ).get(pk=class_group_id, year=job.year)
    class_builders = builders(per_class=True)
    _set_current(
        job.pk, _("%(class)s: checking the journal against the audit log") % {"class": class_group}
    )
    findings = [*chain_findings]
    findings += [
        str(finding) for finding in integrity_check(class_group=class_group, chain=False).findings
    ]
    if findings:
        shown = "; ".join(findings[:FINDINGS_SHOWN]) + (
            "; …" if len(findings) > FINDINGS_SHOWN else ""
        )
        _advance(
            job.pk,
            steps=len(class_builders),
            error=_(
                "Class %(class)s was not packaged: its journal does not agree with the "
                "audit log (%(findings)s)."
            )
            % {"class": class_group, "findings": shown},
        )
        return []
    return _package(job, Scope(year=job.year, class_group=class_group), class_builders)


def _package(
    job: PackagingJob, scope: Scope, step_builders: Sequence[DocumentBuilder]
) -> list[ArchiveDocument]:
    added = []
    for builder in step_builders:
        label = builder.label(scope)
        _set_current(job.pk, label)
        try:
            built = builder.build(scope)
            document = archive_document_add(
                actor=job.requested_by,
                kind=builder.kind,
                school=job.year.school,
                year=job.year,
                class_group=scope.class_group,
                closed_on=_closed_on(job, scope.class_group),
                container=built.container,
                nomenclature_index=builder.nomenclature_index(),
            )
        except Exception as error:  # named in the job's errors; the other documents go on
            logger.exception("packaging job %s: %s failed", job.pk, label)
            _advance(
                job.pk,
                error=_("%(document)s was not packaged: %(error)s")
                % {"document": label, "error": error},
            )
            continue
        _advance(job.pk, document=document)
        added.append(document)
    return added


def _closed_on(job: PackagingJob, class_group: ClassGroup | None) -> dt.date:
    """The local day the year was closed: the job's closing, else the class's or the
    school's own closing; a job with none (packaging ahead of closing) takes today."""
    moment = (
        (job.closing.closed_at if job.closing else None)
        or (class_group.closed_at if class_group else None)
        or job.year.closed_at
        or timezone.now()
    )
    return timezone.localtime(moment, school_tz(job.year.school.municipality.time_zone)).date()


def _set_current(job_id: int, label: str) -> None:
    PackagingJob.objects.filter(pk=job_id).update(current=label[:300])


def _advance(
    job_id: int, *, steps: int = 1, error: str = "", document: ArchiveDocument | None = None
) -> None:
    """Count finished steps in one short transaction; the last step closes the job."""
    with transaction.atomic():
        job = PackagingJob.objects.select_for_update().get(pk=job_id)
        job.steps_done = min(job.steps_total, job.steps_done + steps)
        fields = ["steps_done"]
        if error:
            job.errors = [*job.errors, error]
            fields.append("errors")
        if document is not None:
            job.documents.add(document)
        if job.steps_done >= job.steps_total and job.state == JobState.RUNNING:
            job.state = JobState.FAILED if job.errors else JobState.DONE
            job.finished_at = timezone.now()
            job.current = ""
            fields += ["state", "finished_at", "current"]
            audit_record(
                actor=job.requested_by,
                action="archive.packaging_finish",
                obj=job,
                before={"state": JobState.RUNNING},
                after={
                    "state": job.state,
                    "steps_done": job.steps_done,
                    "documents": sorted(job.documents.values_list("pk", flat=True)),
                    "errors": len(job.errors),
                },
                school_id=job.school_id,
            )
        job.save(update_fields=fields)
