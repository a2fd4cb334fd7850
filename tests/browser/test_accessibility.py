"""axe-core on every public page of the demo association: no serious or critical violations."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .pages import demo_pages, open_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("wagtail_tree"),
]

BLOCKING = {"serious", "critical"}

# Every aria-describedby/labelledby reference must name an element with text; a hint the
# HTML parser moved out of its element (a <ul> inside a <p>) leaves an empty description.
EMPTY_REFERENCES = """() => Array.from(document.querySelectorAll("[aria-describedby], [aria-labelledby]"))
    .flatMap(el => ["aria-describedby", "aria-labelledby"].flatMap(attr =>
        (el.getAttribute(attr) || "").split(/\\s+/).filter(Boolean)
            .filter(id => !(document.getElementById(id)?.textContent || "").trim())
            .map(id => `${el.tagName.toLowerCase()}#${el.id || "?"} ${attr}="${id}"`)))"""


def describe(page_name: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{page_name}] {violation['id']} ({violation['impact']}): {violation['help']}"
        )
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    - {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def test_public_pages_have_no_serious_accessibility_violations(live_server, page):
    axe = Axe()
    problems = []
    checked = []
    for target in demo_pages():
        open_page(page, live_server.url, target)
        results = axe.run(page)
        blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
        if blocking:
            problems.append(describe(target.name, blocking))
        for reference in page.evaluate(EMPTY_REFERENCES):
            problems.append(f"[{target.name}] {reference} points at nothing readable")
        checked.append(target.name)

    assert len(checked) == 10
    assert not problems, (
        "Accessibility problems (axe-core serious/critical, broken references):\n"
        + "\n".join(problems)
    )


def test_home_page_does_not_scroll_sideways_at_360px(live_server, new_page):
    demo_pages()
    page = new_page({"width": 360, "height": 800})
    page.goto(live_server.url + "/")

    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")

    assert scroll_width <= 360, f"the home page is {scroll_width}px wide at a 360px viewport"
