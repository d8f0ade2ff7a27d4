"""GX Data Docs that do not call home: great-expectations' page template loads its logo from GX's S3 bucket with the
data context's id and the time in the query string (a beacon each time someone opens a validation page), and its
stylesheet takes the dark-mode logo from there too. After each build the pages point at the copy of the image that
the site already holds (static/images), by a path relative to each page, so they work offline and tell no one.
The generic libraries the pages load (Bootstrap, jQuery, Vega from public CDNs) carry no identifier and stay."""

from __future__ import annotations

import os
import re
from pathlib import Path

GX_ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
_ASSET = re.compile(re.escape(GX_ASSETS) + r"([A-Za-z0-9_.-]+)(?:\?[^\"')\s<>]*)?")
FALLBACK_IMAGE = "logo-long.png"  # for an asset the site has no copy of (full_logo_dark.png)


def localise_assets(site: Path) -> int:
    """Point every reference to GX's S3 assets in the site's pages and stylesheets at the site's own images; how
    many references were replaced."""
    images = site / "static" / "images"
    replaced = 0
    for page in [*site.rglob("*.html"), *site.rglob("*.css")]:
        text = page.read_text(encoding="utf-8")
        if GX_ASSETS not in text:
            continue

        def local(match: re.Match[str], page: Path = page) -> str:
            name = match.group(1) if (images / match.group(1)).is_file() else FALLBACK_IMAGE
            return Path(os.path.relpath(images / name, page.parent)).as_posix()

        text, n = _ASSET.subn(local, text)
        page.write_text(text, encoding="utf-8")
        replaced += n
    return replaced
