"""Accessibility checks the browser tests share: axe-core on the whole document, and touch-target sizes.

A plain module (not a conftest, not a test file), as tests/api/helpers.py is.
"""

from typing import Any

from playwright.sync_api import Page

from tests.e2e.conftest import AXE

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MIN_TARGET = 44

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""

SMALL_TARGETS = """(minimum) => {
  const controls = ["a[href]", "button", "input:not([type=hidden])", "select", "textarea", "summary",
    "[role=button]", "[role=link]", "[tabindex]:not([tabindex='-1'])"].join(", ");
  const inSentence = (el) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    const block = el.parentElement && el.parentElement.closest("p, li, dd, td, small, span");
    return block !== null && block.textContent.trim() !== el.textContent.trim();
  };
  const small = [];
  for (const region of document.querySelectorAll("header, main, nav, .pending")) {
    for (const el of region.querySelectorAll(controls)) {
      if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
      if (inSentence(el)) continue;
      let target = el;
      if (el.matches("input[type=checkbox], input[type=radio]")) target = el.closest("label") || el;
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.width < minimum || box.height < minimum) {
        const name = (el.getAttribute("aria-label") || el.textContent || el.getAttribute("name") || "")
          .trim().slice(0, 40);
        const size = `${box.width.toFixed(0)}x${box.height.toFixed(0)}`;
        small.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${name}": ${size}`);
      }
    }
  }
  return small;
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not injected as a <script>: the client's Content-Security-Policy refuses inline scripts.
        page.evaluate(AXE.read_text())
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE, TAGS)
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            lines.append(f"    {node['target']}: {' '.join(str(node['summary']).split())}")
    return "\n".join(lines)


def small_targets(page: Page) -> list[str]:
    """Visible controls in the header, main, the tab bar and the pending bar smaller than MIN_TARGET."""
    found: list[str] = page.evaluate(SMALL_TARGETS, MIN_TARGET)
    return found


def accessibility_problems(page: Page, where: str) -> list[str]:
    """What axe and the touch-target check find on the page as it is now, said for an assertion message."""
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe found {len(violations)} violation(s) on {where}:\n{describe(violations)}")
    small = small_targets(page)
    if small:
        problems.append(f"touch targets under {MIN_TARGET}x{MIN_TARGET} px on {where}:\n    " + "\n    ".join(small))
    return problems
