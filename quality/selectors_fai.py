"""Reads of first-article inspections and remake proposals, each in a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from jobs.models import Job
from mto import reads

from .models import JobCharacteristic
from .models_fai import FirstArticle, FirstArticleResult, RemakeProposal

F = FirstArticle.Status


@dataclass
class JobFirstArticle:
    """A job's FAIs (oldest attempt first) and the one that matters now: the live one, else the newest."""

    attempts: list[FirstArticle] = field(default_factory=list)

    @property
    def current(self) -> FirstArticle | None:
        live = [fai for fai in self.attempts if fai.is_live]
        return live[-1] if live else (self.attempts[-1] if self.attempts else None)

    @property
    def blocks(self) -> bool:
        current = self.current
        return current is not None and current.is_live


def job_first_articles(*, job: Job) -> QuerySet[FirstArticle]:
    """The job's FAI attempts as a read (mto.reads): JobFirstArticle(list of them) is what a page shows."""
    return FirstArticle.objects.filter(job=job).select_related("recorded_by", "decided_by").order_by("attempt")


def job_first_article(*, job: Job) -> JobFirstArticle:
    """One query."""
    return JobFirstArticle(list(job_first_articles(job=job)))


def first_article_sheet(*, pk: int) -> tuple[FirstArticle, list[JobCharacteristic]]:
    """The FAI with its job and every characteristic of the job, each with this FAI's result (`fai_result`, None
    while not recorded). Three queries. Raises FirstArticle.DoesNotExist."""
    results = Prefetch(
        "results", queryset=FirstArticleResult.objects.select_related("by").order_by("id"), to_attr="result_list"
    )
    fai = FirstArticle.objects.select_related("job", "recorded_by", "decided_by").prefetch_related(results).get(pk=pk)
    chars = list(
        JobCharacteristic.objects.filter(job_id=fai.job_id)
        .select_related("operation")
        .order_by("operation_sequence", "position", "id")
    )
    by_char = {r.characteristic_id: r for r in fai.result_list}
    for char in chars:
        char.fai_result = by_char.get(char.pk)
    return fai, chars


def first_articles_waiting(*, limit: int = 10) -> tuple[int, list[FirstArticle]]:
    """Recorded FAIs waiting for acceptance: how many, and the oldest first (one statement on PostgreSQL)."""
    rows = reads.fetch(**first_articles_waiting_reads(limit=limit))
    return rows["count"], rows["waiting"]


def first_articles_waiting_reads(*, limit: int = 10) -> dict:
    qs = FirstArticle.objects.filter(status=F.RECORDED)
    return {"count": reads.count(qs), "waiting": qs.select_related("job").order_by("recorded_at", "id")[:limit]}


def job_remake_proposals(*, job: Job) -> QuerySet[RemakeProposal]:
    """As a read (mto.reads): the job's newest proposal, or none."""
    return RemakeProposal.objects.filter(job=job).select_related("remake_job", "decided_by")[:1]


def job_remake_proposal(*, job: Job) -> RemakeProposal | None:
    """One query."""
    return job_remake_proposals(job=job).first()


def remake_proposals_open(*, limit: int = 10) -> tuple[int, list[RemakeProposal]]:
    """Proposals nobody decided yet, the newest first (one statement on PostgreSQL)."""
    rows = reads.fetch(**remake_proposals_open_reads(limit=limit))
    return rows["count"], rows["proposals"]


def remake_proposals_open_reads(*, limit: int = 10) -> dict:
    qs: QuerySet[RemakeProposal] = RemakeProposal.objects.filter(status=RemakeProposal.Status.PROPOSED)
    return {"count": reads.count(qs), "proposals": qs.select_related("job").order_by("-created_at", "-id")[:limit]}
