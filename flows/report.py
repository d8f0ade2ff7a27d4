"""Report flow: per revisit with data, the HTML scorecard, one page per owner, CSV/XLSX exports and PNG snapshots
(cjx.pipeline.report); the latest revisit's headline and priorities as Prefect artifacts."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from cjx import pipeline, settings
from cjx.pipeline import ReportResult, Workspace, open_workspace


@task(cache_policy=NO_CACHE)
def write_reports(ws: Workspace) -> ReportResult:
    """Every revisit's scorecard, owner pages, exports and PNGs; the scorecard-headline and -priorities artifacts."""
    reported = pipeline.report(ws)
    publish_artifacts(reported)
    return reported


def publish_artifacts(reported: ReportResult) -> None:
    """The latest revisit's headline (Markdown) and priority table as artifacts."""
    latest = reported.latest
    if latest is None:
        create_markdown_artifact(key="scorecard-headline", markdown="No revisit has data yet: no scorecard written.")
        return
    create_markdown_artifact(
        key="scorecard-headline",
        markdown=latest.markdown,
        description=f"Journey headline and top priorities, revisit {latest.revisit_id}",
    )
    create_table_artifact(
        key="scorecard-priorities",
        table=latest.priority_rows,
        description=f"Priority table, revisit {latest.revisit_id}",
    )


@flow(name="report", log_prints=True)
def report(journey: str = str(settings.SAMPLE_JOURNEY), db: str | None = None, reports: str | None = None) -> list[str]:
    """Write every revisit's scorecard, owner pages and exports into `reports` (default reports/); return the
    main pages (owner pages and exports sit in the scorecard_<revisit>/ folder beside each)."""
    reported = write_reports(open_workspace(journey, db, reports))
    logger = get_run_logger()
    for line in pipeline.report_lines(reported):
        logger.info(line)
    if reported.snapshot_skipped:
        logger.warning("report: %s", reported.snapshot_skipped)
    return reported.scorecards
