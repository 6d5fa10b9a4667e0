"""What first-article inspection and remake proposals show on other pages (registered by quality.panels)."""

from mto import panels
from mto.panels import can
from mto.widgets import WIDGET, widget

from . import selectors_fai
from .services.fai import _first_production_operation


def job_first_article_reads(request, *, job) -> dict:
    return {"attempts": selectors_fai.job_first_articles(job=job)}


def job_first_article(request, *, job, rows) -> dict | None:
    """The job's FAI (the live one, else the newest) with its attempts; none: no panel."""
    first = selectors_fai.JobFirstArticle(rows["attempts"])
    if first.current is None:
        return None
    user = request.user
    return {"job": job, "first": first, "can_record": user.has_perm("mto.record_inspections"),
            "can_accept": user.has_perm("mto.accept_first_articles")}  # fmt: skip


def floor_first_article(request, *, job) -> dict | None:
    """On the floor job screen, while the FAI holds the first operation back: what to do (two queries)."""
    first = selectors_fai.job_first_article(job=job)
    if not first.blocks:
        return None
    return {"job": job, "first": first, "first_op": _first_production_operation(job.pk),
            "can_record": request.user.has_perm("mto.record_inspections")}  # fmt: skip


def _may_decide(user) -> bool:
    return user.has_perm("mto.disposition_ncrs") or user.has_perm("mto.manage_jobs")


def job_remake_reads(request, *, job) -> dict:
    return {"proposal": selectors_fai.job_remake_proposals(job=job)}


def job_remake(request, *, job, rows) -> dict | None:
    proposal = next(iter(rows["proposal"]), None)
    if proposal is None:
        return None
    return {"job": job, "proposal": proposal, "can_decide": _may_decide(request.user)}


def remakes_reads(request) -> dict:
    return selectors_fai.remake_proposals_open_reads()


def remakes_widget(request, *, rows) -> dict:
    return {"count": rows["count"], "proposals": rows["proposals"]}


def first_articles_reads(request) -> dict:
    return selectors_fai.first_articles_waiting_reads()


def first_articles_widget(request, *, rows) -> dict:
    count, waiting = rows["count"], rows["waiting"]
    items = [(fai.get_absolute_url(), fai.job.number,
              f"{fai.revision_label}, recorded {fai.recorded_at:%Y-%m-%d %H:%M}"
              f"{'' if fai.all_passed else ', out of tolerance'}") for fai in waiting]  # fmt: skip
    return widget("fai-waiting", "First articles to accept", number=count, items=items,
                  note="Recorded on the floor; the job's pieces wait at its first operation.",
                  empty="No first article is waiting.")  # fmt: skip


def register_panels() -> None:
    panels.register(page="job-detail", order=46, name="quality.job-first-article",
                    template="quality/partials/job_fai_panel.html", context=job_first_article,
                    reads=job_first_article_reads, reads_by_key=True, reads_shape=panels.keys_only,
                    visible=can("view_quality", "view_jobs"))  # fmt: skip
    panels.register(page="job-detail", order=47, name="quality.job-remake",
                    template="quality/partials/job_remake_panel.html", context=job_remake,
                    reads=job_remake_reads, reads_by_key=True, reads_shape=panels.keys_only,
                    visible=can("view_jobs"))  # fmt: skip
    panels.register(page="floor-job", order=8, name="quality.floor-first-article",
                    template="quality/partials/floor_fai_panel.html", context=floor_first_article,
                    visible=can("run_floor"))  # fmt: skip
    panels.register(page="home", order=46, name="quality.remakes", template="quality/partials/remake_widget.html",
                    context=remakes_widget, reads=remakes_reads,
                    visible=can("disposition_ncrs", "manage_jobs"))  # fmt: skip
    panels.register(page="home", order=47, name="quality.first-articles", template=WIDGET,
                    context=first_articles_widget, reads=first_articles_reads,
                    visible=can("accept_first_articles"))  # fmt: skip
