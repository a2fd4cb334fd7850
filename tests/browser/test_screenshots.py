"""Full-page screenshots of every checked page at desktop and phone widths, for people to look at.

Slow-ish and only useful to a human, so it runs only with TIDE_SCREENSHOTS=1:

    TIDE_SCREENSHOTS=1 .venv/bin/pytest -q -p no:xdist tests/browser/test_screenshots.py

The PNGs land in test-artifacts/screens/ (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tide.website.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, STAFF_EMAIL

from .conftest import DESKTOP, PHONE, log_in
from .pages import demo_pages, load_lazy_images, open_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("wagtail_tree"),
    pytest.mark.skipif(
        os.environ.get("TIDE_SCREENSHOTS") != "1",
        reason="set TIDE_SCREENSHOTS=1 to take screenshots",
    ),
]

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"


def test_screenshots(live_server, new_page):
    SCREENS.mkdir(parents=True, exist_ok=True)
    targets = demo_pages()
    for viewport in (DESKTOP, PHONE):
        page = new_page(viewport)
        for target in targets:
            open_page(page, live_server.url, target)
            load_lazy_images(page)
            page.screenshot(path=SCREENS / f"{target.name}-{viewport['width']}.png", full_page=True)

    # The back office's comment queue, as staff see it (one login: a TOTP code works once).
    staff = new_page(DESKTOP)
    log_in(
        staff,
        live_server.url,
        STAFF_EMAIL,
        DEMO_PASSWORD,
        totp_secret=DEMO_TOTP_SECRET,
        next_url="/admin/comments/",
    )
    staff.wait_for_url("**/admin/comments/")
    for viewport in (DESKTOP, PHONE):
        staff.set_viewport_size(viewport)
        staff.reload()
        staff.screenshot(path=SCREENS / f"admin-comments-{viewport['width']}.png", full_page=True)

    assert len(list(SCREENS.glob("*.png"))) >= 2 * (len(targets) + 1)
