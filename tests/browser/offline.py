"""Reports as a visitor gets them: the download button clicked, the file saved, then opened from disk in a fresh
browser context with the network cut off, recording every request it makes and every script error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

REPORT_BUTTON = "Download an offline report (HTML)"


def download_report(app_page, tmp_path):
    """Click the page's report button and return the path of the saved file."""
    page = app_page.page
    button = page.get_by_role("button", name=REPORT_BUTTON).first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=90_000) as download:
        button.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return path


@dataclass
class OfflinePage:
    page: object  # the Playwright page showing the report
    requested: list[str] = field(default_factory=list)  # every URL it asked for
    errors: list[str] = field(default_factory=list)  # its script errors


@contextmanager
def opened_offline(browser, path) -> Iterator[OfflinePage]:
    """The report at `path` loaded from disk with only file:// requests let through and the network off."""
    context = browser.new_context()
    try:
        offline = OfflinePage(page=None)

        def only_the_file(route):
            offline.requested.append(route.request.url)
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", only_the_file)
        context.set_offline(True)
        offline.page = context.new_page()
        offline.page.on("pageerror", lambda error: offline.errors.append(str(error)))
        offline.page.goto(path.as_uri())
        yield offline
    finally:
        context.close()
