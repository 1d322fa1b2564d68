"""What the browser tests do with a page: photograph it and check its accessibility."""

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def save_screenshot(page, name: str) -> Path:
    """Keep a full-page picture of what the visitor saw, for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# axe-core's WCAG 2.1 A/AA rules plus its best practices; a page fails on a
# serious or critical problem. Landmark and heading rules rate only
# "moderate", yet without them a screen-reader user cannot find their way
# around, so they fail the page whatever their rating.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = {"serious", "critical"}
STRUCTURE_RULES = {
    "bypass",
    "landmark-one-main",
    "landmark-no-duplicate-main",
    "landmark-unique",
    "region",
    "page-has-heading-one",
    "heading-order",
    "document-title",
    "html-has-lang",
}


def accessibility_problems(page) -> list[str]:
    """Run axe-core inside the page and describe each problem that fails it."""
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS or v["id"] in STRUCTURE_RULES
    ]
