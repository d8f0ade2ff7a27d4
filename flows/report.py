"""Report flow: one self-contained HTML touchpoint scorecard per revisit with data."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from cjx import settings
from cjx.report import load_scorecard_data, render_scorecard
from cjx.store import connect
from cjx.workspace import revisits_with_data


@task
def write_scorecards(db: str, out_dir: str) -> list[str]:
    """Render and write scorecard_<revisit>.html for every revisit that has responses."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with closing(connect(db, read_only=True)) as con:
        for revisit_id in revisits_with_data(con):
            path = out / f"scorecard_{revisit_id}.html"
            path.write_text(render_scorecard(load_scorecard_data(con, revisit_id)), encoding="utf-8")
            written.append(str(path))
    return written


@flow(name="report", log_prints=True)
def report(db: str | None = None, reports: str | None = None) -> list[str]:
    """Write the HTML scorecards into `reports` (default reports/)."""
    written = write_scorecards(str(settings.database_path(db)), str(settings.reports_dir(reports)))
    create_markdown_artifact(key="scorecards", markdown="\n".join(f"- `{p}`" for p in written) or "no revisit has data")
    print(f"report: {len(written)} scorecard(s) written: " + ", ".join(written))
    return written
