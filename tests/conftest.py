"""Fixtures shared by the tests over the built book and the browser tests."""

from __future__ import annotations

import functools
import http.server
import os
import socket
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
# The browser the book prints with is the one its tests drive, named once in the tool.
sys.path.insert(0, str(ROOT / "tools"))
from print_pdf import CHROMIUM, LOCAL_HOSTS, leaves_machine  # noqa: E402
from print_pdf import CHROMIUM_ARGS as PRINT_CHROMIUM_ARGS  # noqa: E402

# BOOK_HTML points the tests at another build (for example a partial one).
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def same_bits(a, b) -> bool:
    """Whether ``a`` and ``b`` have one shape, one dtype and the same bytes: unlike
    ``assert_array_equal``, a zero's sign and a NaN's payload count."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def require_or_skip(ok: bool, what: str) -> None:
    """Skip loudly when something a test needs is missing; under CI, fail instead."""
    if ok:
        return
    message = f"{what} (run `make test`, which sets it up)"
    if IN_CI:
        pytest.fail(f"CI=true and {message}: nothing may be skipped in CI", pytrace=False)
    pytest.skip(f"SKIPPED LOUDLY: {message}")


@pytest.fixture(scope="session")
def html_dir() -> Path:
    require_or_skip((HTML / "index.html").is_file(), f"the book is not built in {HTML}")
    return HTML


#: Prose values that are wall-clock measurements, which differ from run to run, by chapter.
WALL_CLOCK = {
    "chapters/numerics": {
        "bench_over_uniform", "bench_library_ns", "bench_two_class", "bench_f64_over_f32",
        "spread_uniform", "spread_two_class", "spread_f64_f32", "uniform_note", "fresh_ratio",
        "fresh_lead", "fresh_so",
        "f32_tau", "f32_tau_verdict", "f64_tau", "f64_tau_verdict",
        "dtype_hot", "dtype_hot_verdict", "dtype_cold", "dtype_cold_verdict",
        "dtype_hot_where", "cost_range",
    },
    "chapters/binary_vae_training": {"cheapest", "dearest", "ratio_max", "rebar_time"},
}  # fmt: skip


def download(html_dir: Path, name: str) -> Path:
    """The executed notebook of chapter ``name`` that a reader downloads from the build."""
    return html_dir / "_sources" / f"{name}.ipynb"


def saved_values(notebook) -> dict[str, str]:
    """The prose values as the download saves them for jupyterlab-myst (text/plain)."""
    return {
        entry["expression"]: entry["result"]["data"]["text/plain"]
        for cell in notebook.cells
        for entry in cell.metadata.get("user_expressions", [])
    }


def book_pages(html_dir: Path) -> list[Path]:
    """The pages a reader can reach: every HTML file but the theme's templates.

    ``index.html`` is left out: it only redirects to the root page (see
    ``test_index_redirects_to_the_front_page``).
    """
    if not html_dir.is_dir():
        return []
    skip = {"_static", "_sources", "index.html"}
    return sorted(
        p for p in html_dir.rglob("*.html") if p.relative_to(html_dir).parts[0] not in skip
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="session")
def site_url(html_dir: Path):
    """Serve the built book on 127.0.0.1 for the duration of the session."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


#: What a Jupyter kernel on TCP ports writes to its log as it starts ("Kernel is running over
#: TCP without encryption", from jupyter_client 8.10): the tests' kernels use Unix sockets.
KERNEL_ON_TCP = "running over TCP"


def free_port() -> int:
    """A port of 127.0.0.1 that is free now: nothing listens on it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def record_network(page, record: dict[str, list], excused: set | None = None) -> None:
    """Record in ``record`` what ``page`` does over the network that must not happen.

    ``record["left"]`` gets the URL of every request and every WebSocket to another host
    (``leaves_machine``), and ``record["failed"]`` the URL and the browser's reason of every
    request to this machine that failed, except the requests in ``excused`` (which the
    caller may fill later: requests that the test itself abandoned). Playwright's sync and
    async pages both take these handlers.
    """
    record.setdefault("left", [])
    record.setdefault("failed", [])
    excused = set() if excused is None else excused

    def leaving(connection) -> None:  # a request or a WebSocket
        if leaves_machine(connection.url):
            record["left"].append(connection.url)

    def failed(request) -> None:
        if not leaves_machine(request.url) and request not in excused:
            record["failed"].append((request.url, request.failure))

    page.on("request", leaving)
    page.on("websocket", leaving)
    page.on("requestfailed", failed)


#: Headless as root, and no background traffic to hosts this machine cannot reach. Every
#: host name but this machine's resolves to nothing, so that a page's request to another
#: host fails there (the tests record it as it is made, ``record_network``).
CHROMIUM_ARGS = [
    "--host-resolver-rules=MAP * ~NOTFOUND, "
    + ", ".join(f"EXCLUDE {host}" for host in sorted(LOCAL_HOSTS)),
    *PRINT_CHROMIUM_ARGS,
]


@pytest.fixture(scope="session")
def browser():
    """The system Chromium, driven by Playwright (no browser download)."""
    require_or_skip(Path(CHROMIUM).is_file(), "Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


#: The two screens the browser tests read the book on: a desktop and a phone.
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def context(browser):
    """A fresh browser profile (light mode, a 1280 px wide desktop) for one test module."""
    ctx = browser.new_context(viewport=DESKTOP)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def phone_context(browser):
    """A fresh browser profile (light mode) with a phone's 390 x 844 viewport."""
    ctx = browser.new_context(viewport=PHONE)
    yield ctx
    ctx.close()
