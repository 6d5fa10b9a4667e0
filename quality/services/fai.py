"""First-article inspection (FAI): required on the first job of a part revision and when a change order brings a
new drawing revision; recorded on the tablet (every characteristic of the job on the first piece); accepted or
rejected by Quality or a Manager. Until it is accepted the job's first operation passes on no piece beyond the
first article (the gate below, heard through jobs.signals.pieces_may_pass)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from jobs.models import Job, Operation
from jobs.services import ENGINEERING
from mto import reads
from mto.db import atomic_with_retry
from mto.transitions import User, transition

from ..models import JobCharacteristic
from ..models_fai import FirstArticle, FirstArticleResult
from ..workflow_fai import FAI, F
from .common import _require, lock_job
from .inspections import _parse

LIVE = list(FirstArticle.LIVE)


def _first_production_operation(job_id: int) -> Operation | None:
    """The operation whose pieces the FAI holds back: the first one on the shop's own floor that makes the part
    (an engineering review of the drawing comes before any first article; a vendor's operation is received back,
    not reported)."""
    return (
        Operation.objects.filter(job_id=job_id)
        .exclude(work_center__code=ENGINEERING[0])
        .exclude(work_center__is_outside=True)
        .order_by("sequence")
        .first()
    )


def _key(job: Job, customer_id: int | None) -> tuple[str, str, int | None]:
    """What an FAI proves: the part and revision; a customer's own drawing (a custom part) is that customer's."""
    return job.part_number, job.part_revision, customer_id if job.is_custom else None


def first_articles_require(*, jobs: list[Job], always: bool = False) -> list[FirstArticle]:
    """The FAIs the new jobs need (the receiver of jobs_created, in its transaction): one for each job of an order
    line whose part revision has no accepted FAI yet. Two jobs of a new revision made together each need one (each
    first article proves its own run until one is accepted). Idempotent (a job with a live FAI gets none more, a
    partial unique index backs it). A fixed number of queries whatever the number of jobs. `always` (the demo):
    whatever settings.QUALITY_FIRST_ARTICLE and the revision's history say."""
    if not (always or settings.QUALITY_FIRST_ARTICLE):
        return []
    jobs = [job for job in jobs if job.sales_order_line_id]
    if not jobs:
        return []
    customer_of = dict(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("pk", "sales_order__customer_id"))
    keys = {job.pk: _key(job, customer_of.get(job.pk)) for job in jobs}
    proven = set(
        FirstArticle.objects.filter(status=F.ACCEPTED, part_number__in={k[0] for k in keys.values()}).values_list(
            "part_number", "part_revision", "customer_id"
        )
    )
    has_one = set(FirstArticle.objects.filter(job__in=jobs).values_list("job_id", flat=True))
    new = [
        FirstArticle(
            job=job,
            attempt=1,
            reason=FirstArticle.Reason.NEW_REVISION,
            part_number=keys[job.pk][0],
            part_revision=keys[job.pk][1],
            customer_id=keys[job.pk][2],
            pieces_allowed=1,
        )  # fmt: skip
        for job in jobs
        if job.pk not in has_one and (always or keys[job.pk] not in proven)
    ]
    FirstArticle.objects.bulk_create(new, ignore_conflicts=True)
    return new


def first_articles_for_revision_change(*, items, jobs: list[Job], by: User) -> list[FirstArticle]:
    """A change order brought a new drawing revision to order lines (the receiver of jobs_changed, inside the
    change's approval, the jobs locked by jobs): each open job of those lines needs a new FAI at the new revision,
    whatever it had (its live one is superseded). The pieces its first operation passed before stay counted."""
    if not settings.QUALITY_FIRST_ARTICLE:
        return []
    lines = {item.line_id for item in items if item.kind == "revision" and item.line_id}
    targets = [job for job in jobs if job.sales_order_line_id in lines and job.is_open]
    if not targets:
        return []
    for live in (
        FirstArticle.objects.select_for_update().filter(job__in=targets, status__in=LIVE).select_related("job")
    ):
        transition(FAI, live, "supersede", by=by, reason="New drawing revision", locked=True,
                   fields={"decision_reason": f"Superseded by revision {live.job.part_revision}"[:500]})  # fmt: skip
    # The jobs' revision as the change left it (the Job objects jobs handed over carry it).
    attempts = dict(
        FirstArticle.objects.filter(job__in=targets)
        .values("job_id")
        .annotate(n=Max("attempt"))
        .values_list("job_id", "n")
    )
    first_good = _first_production_good(targets)
    customer_of = dict(
        Job.objects.filter(pk__in=[j.pk for j in targets]).values_list("pk", "sales_order__customer_id")
    )
    made = []
    for job in targets:
        part, revision, customer = _key(job, customer_of.get(job.pk))
        fai = FirstArticle(
            job=job, attempt=attempts.get(job.pk, 0) + 1, reason=FirstArticle.Reason.REVISION_CHANGE,
            part_number=part, part_revision=revision, customer_id=customer,
            pieces_allowed=first_good.get(job.pk, 0) + 1,
        )  # fmt: skip
        fai.save()
        made.append(fai)
    return made


def _first_production_good(jobs: list[Job]) -> dict[int, int]:
    """job id -> good pieces its first production operation has passed on (one query)."""
    good: dict[int, int] = {}
    rows = (
        Operation.objects.filter(job__in=jobs)
        .exclude(work_center__code=ENGINEERING[0])
        .exclude(work_center__is_outside=True)
        .order_by("job_id", "sequence")
        .values_list("job_id", "good_qty")
    )
    for job_id, qty in rows:
        good.setdefault(job_id, qty)
    return good


def _locked(first_article: FirstArticle) -> tuple[Job, FirstArticle]:
    """The job (house order: its order, the job) then the FAI, locked."""
    job_id = FirstArticle.objects.values_list("job_id", flat=True).get(pk=first_article.pk)
    job = lock_job(job_id)
    fai = FirstArticle.objects.select_for_update().get(pk=first_article.pk)
    fai.job = job
    return job, fai


@atomic_with_retry
def first_article_record(
    *, first_article: FirstArticle, values: dict[int, object], by: User, note: str = ""
) -> FirstArticle:
    """Record the first article: `values` maps each of the job's characteristics (every operation's) to the first
    piece's value (a dimension) or "pass"/"fail" (an attribute); all of them are needed. A job without an
    inspection plan records what was checked against the drawing in `note`. Out-of-tolerance values are kept (the
    FAI then cannot be accepted, only rejected)."""
    _require(by, "record_inspections")
    job, fai = _locked(first_article)
    if not job.is_open:
        raise ValidationError(f"{job.number} is {job.get_status_display().lower()}; nothing more can be inspected.")
    if fai.status != F.REQUIRED:
        raise ValidationError(f"This first article is {fai.get_status_display().lower()}.", code="conflict")
    chars = list(JobCharacteristic.objects.filter(job=job).order_by("operation_sequence", "position", "id"))
    entries = {int(k): v for k, v in values.items() if v not in (None, "")}
    unknown = set(entries) - {c.pk for c in chars}
    if unknown:
        raise ValidationError("A characteristic of another job was sent; reload the page.")
    note = (note or "").strip()
    errors = {}
    results = []
    for char in chars:
        if char.pk not in entries:
            errors[f"c{char.pk}"] = f"{char.name}: the first article needs every characteristic."
            continue
        try:
            value, passed = _parse(char, entries[char.pk])
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        results.append(FirstArticleResult(first_article=fai, characteristic=char, value=value, passed=passed, by=by))
    if not chars and not note:
        errors["note"] = "No inspection plan: say what was checked against the drawing."
    if errors:
        raise ValidationError(errors)
    FirstArticleResult.objects.bulk_create(results)
    fields = {"all_passed": all(r.passed for r in results), "note": note[:500], "recorded_by": by,
              "recorded_at": timezone.now()}  # fmt: skip
    return transition(FAI, fai, "record", by=by, fields=fields, locked=True)


@atomic_with_retry
def first_article_accept(*, first_article: FirstArticle, by: User) -> FirstArticle:
    """Quality (or a Manager) accepts a recorded first article: the job's first operation passes pieces on."""
    job, fai = _locked(first_article)

    def prepare(fai):
        if not fai.all_passed:
            raise ValidationError("A characteristic of the first article is out of tolerance: reject it.",
                                  code="conflict")  # fmt: skip

    fields = {"decided_by": by, "decided_at": timezone.now()}
    return transition(FAI, fai, "accept", by=by, fields=fields, prepare=prepare, locked=True)


@atomic_with_retry
def first_article_reject(*, first_article: FirstArticle, by: User, reason: str) -> FirstArticle:
    """Reject the first article (it does not conform, or it was lost before it could be inspected): the next
    attempt is required at once and lets one more piece pass the first operation, the next first article.
    Returns the new attempt."""
    job, fai = _locked(first_article)
    reason = (reason or "").strip()
    fields = {"decided_by": by, "decided_at": timezone.now(), "decision_reason": reason[:500]}
    fai = transition(FAI, fai, "reject", by=by, reason=reason, fields=fields, locked=True)
    passed = _first_production_good([job]).get(job.pk, 0)
    nxt = FirstArticle(
        job=job, attempt=fai.attempt + 1, reason=fai.reason, part_number=fai.part_number,
        part_revision=fai.part_revision, customer_id=fai.customer_id,
        pieces_allowed=max(fai.pieces_allowed, passed) + 1,
    )  # fmt: skip
    nxt.full_clean(exclude=["job", "customer"])
    nxt.save()
    return nxt


# Every piece report asks it: compiled once per process (mto.reads.CompiledQuery).
_LIVE_FIRST_ARTICLE = reads.CompiledQuery(
    lambda job_id: FirstArticle.objects.filter(job_id=job_id, status__in=LIVE)[:1]  # in Meta.ordering, as .first()
)


def first_article_gate(*, operation: Operation, good: int) -> str | None:
    """The refusal quality gives jobs' piece report while the job's FAI is live (None: pieces may pass).
    One query when the job has no live FAI (nearly always), two when it has."""
    fai = next(iter(_LIVE_FIRST_ARTICLE.all(operation.job_id)), None)
    if fai is None:
        return None
    first = _first_production_operation(operation.job_id)
    if first is None or first.pk != operation.pk:
        return None
    passed = operation.good_qty
    if passed + good <= fai.pieces_allowed:
        return None
    waiting = "recorded and waiting for acceptance by Quality" if fai.status == F.RECORDED else "to be recorded"
    left = max(fai.pieces_allowed - passed, 0)
    may = f"only {left} more piece may pass" if left else "no more pieces may pass"
    return (
        f"First-article inspection of {fai.revision_label}: the first article is {waiting}; {may} operation "
        f"{operation.sequence} until it is accepted."
    )


__all__ = [
    "first_article_accept",
    "first_article_gate",
    "first_article_record",
    "first_article_reject",
    "first_articles_for_revision_change",
    "first_articles_require",
]
