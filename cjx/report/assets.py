"""Files the scorecard pages share: one plotly.js bundle beside the pages instead of 4.8 MB inlined in each.

The bundle is the one plotly ships with its Python package (`plotly.offline.get_plotlyjs()`), so the pages
still open offline from disk; its file name carries the version, so a report folder upgraded in place never
mixes a page with another version's bundle.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from plotly.offline import get_plotlyjs

# Relative to the reports folder (where the main pages are).
PLOTLY_ASSET = f"assets/plotly-{plotly.__version__}.min.js"


def plotly_js() -> str:
    """The plotly.js bundle as text (for the single-file option)."""
    return get_plotlyjs()


def write_assets(reports: Path) -> list[str]:
    """Write the shared bundle into `reports` unless the same version is already there; the paths written."""
    path = Path(reports) / PLOTLY_ASSET
    if path.exists():
        return []
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(plotly_js(), encoding="utf-8")
    tmp.replace(path)  # atomic: a page opened meanwhile never sees half a bundle
    return [str(path)]
