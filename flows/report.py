"""Report flow: per revisit with data, the HTML scorecard, one page per owner, CSV/XLSX exports and PNG snapshots;
the latest revisit's headline and priorities as Prefect artifacts."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from cjx import settings
from cjx.report import ReportFiles, load_scorecard_data, render_owner_page, render_scorecard
from cjx.report.artifacts import headline_markdown, priority_rows
from cjx.report.exports import csv_text, export_tables, xlsx_bytes
from cjx.report.snapshot import snapshot_pages
from cjx.store import connect
from cjx.workspace import revisits_with_data


def _write(path: Path, content: str | bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


@task
def write_revisit_report(db: str, out_dir: str, revisit_id: str) -> dict:
    """Exports, owner pages and the main page of one revisit; returns the paths written and the artifact content."""
    out = Path(out_dir)
    with closing(connect(db, read_only=True)) as con:
        data = load_scorecard_data(con, revisit_id)
        tables = export_tables(con, revisit_id)
    files = ReportFiles(revisit_id, tuple(data.owners))
    exports = [_write(out / files.export(f"{name}.csv"), csv_text(frame)) for name, frame in tables.items()]
    exports.append(_write(out / files.export(f"scorecard_{revisit_id}.xlsx"), xlsx_bytes(tables)))
    owner_pages = [_write(out / files.owner(owner), render_owner_page(data, owner)) for owner in data.owners]
    links = [(Path(p).name, str(Path(p).relative_to(out))) for p in exports]
    main = _write(out / files.main, render_scorecard(data, exports=links))
    return {"revisit_id": revisit_id, "scorecard": main, "owner_pages": owner_pages, "exports": exports,
            "markdown": headline_markdown(data, main), "priority_rows": priority_rows(data)}


@task
def snapshot_scorecards(scorecards: list[str]) -> list[str]:
    """PNG snapshots (whole page and each chart) into scorecard_<revisit>/exports/png/, if chromium is here."""
    pages = [(Path(p), Path(p).with_suffix("") / "exports" / "png") for p in scorecards]
    result = snapshot_pages(pages)
    if result.skipped:
        get_run_logger().warning("report: %s", result.skipped)
    return result.written


@flow(name="report", log_prints=True)
def report(db: str | None = None, reports: str | None = None) -> list[str]:
    """Write every revisit's scorecard, owner pages and exports into `reports` (default reports/); return the
    main pages (owner pages and exports sit in the scorecard_<revisit>/ folder beside each)."""
    db, out = str(settings.database_path(db)), str(settings.reports_dir(reports))
    with closing(connect(db, read_only=True)) as con:
        revisits = revisits_with_data(con)
    written = [write_revisit_report(db, out, revisit_id) for revisit_id in revisits]
    scorecards = [w["scorecard"] for w in written]
    pngs = snapshot_scorecards(scorecards) if scorecards else []
    if written:
        latest = written[-1]
        create_markdown_artifact(key="scorecard-headline", markdown=latest["markdown"],
                                 description=f"Journey headline and top priorities, revisit {latest['revisit_id']}")
        create_table_artifact(key="scorecard-priorities", table=latest["priority_rows"],
                              description=f"Priority table, revisit {latest['revisit_id']}")
    else:
        create_markdown_artifact(key="scorecard-headline", markdown="No revisit has data yet: no scorecard written.")
    for w in written:
        print(f"report: {w['scorecard']} with {len(w['owner_pages'])} owner page(s) and {len(w['exports'])} export(s)")
    print(f"report: {len(pngs)} PNG snapshot(s) written")
    return scorecards
