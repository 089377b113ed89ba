"""Browser tests drive Debian's chromium through Playwright; never a downloaded browser."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PHONE = {"width": 390, "height": 844}

# Apply to a browser test module: `pytestmark = needs_chromium`.
needs_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


# Every page a browser test opens reports Content-Security-Policy violations here; a test
# that met one fails when its browser closes (the product's pages must need no exception).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""


class CspViolations(AssertionError):
    pass


def _watch_for_csp_violations(browser, violations: list[str]) -> None:
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(REPORT_VIOLATIONS)

        def on_page(page):
            def on_console(message):
                text = message.text
                if "Content Security Policy" in text or text.startswith("CSP violation"):
                    violations.append(f"{page.url}: {text}")

            page.on("console", on_console)

        context.on("page", on_page)
        return context

    browser.new_context = watched_context


@contextmanager
def chromium() -> Iterator:
    """A headless chromium; yields the browser and closes it afterwards. Fails the test if
    any page broke the Content-Security-Policy."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    violations: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        _watch_for_csp_violations(browser, violations)
        try:
            yield browser
        finally:
            browser.close()
    if violations:
        raise CspViolations("\n".join(dict.fromkeys(violations)))


def phone_page(browser, **context_options):
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True, **context_options}
    return browser.new_context(**options).new_page()


def sign_in(page, base_url: str, username: str) -> None:
    """Through the real login form, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")
