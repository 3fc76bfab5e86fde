"""The chapters in JupyterLab, as `make lab` opens them, driven in Chromium.

The server is started with the real `make lab` (same command line, same
settings), on 127.0.0.1 with a port the system gives it (read back from the
server's own file), a token and private Jupyter folders,
so that the test neither reads nor disturbs a user's own; its kernels talk to it
over Unix sockets, not TCP ports (see ``lab``). The test adds only a
user-settings folder that turns the notebook's windowing off (JupyterLab 4 puts
only the visible cells in the page otherwise) and autosave off (so that nothing
the test runs or edits is ever written back to a chapter).

Two lanes (one kernel per core) share the notebook chapters of ``_toc.yml``;
their kernels load the verifier's results, which the front page and five
chapters show, from a copy of the build's store, as the build's own kernels do.
In each, a chapter is opened from the File menu, must get its Python 3 kernel with
no dialog, and is run with Run → Run All Cells. Once the kernel is idle and every
code cell has run, the rendered notebook must show no error output, no raw
myst_nb glue, no unexecuted or failed ``{eval}`` (every one rendered with the
value the book's build shows, but for the wall-clock measurements), no
unresolved citation and no unrendered role or directive, and JupyterLab no
notification but those known to be harmless. No page may request anything from
another host (nor open a WebSocket to one), and no local request may fail. In one
chapter a seed is then changed in the editor, and the cell, the cells that
format its values and its prose are re-run:
the number in the prose must change to the value the library computes here.
Last, a link from one chapter to a theorem of another is clicked: that chapter
must open in the same JupyterLab, as a notebook, with the theorem in view.
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlparse

import jupytext
import nbformat
import pytest
from book_sources import is_notebook, source, toc_files

from conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    KERNEL_ON_TCP,
    ROOT,
    WALL_CLOCK,
    download,
    free_port,
    record_network,
    require_or_skip,
    saved_values,
)

sys.path.insert(0, str(ROOT / "_ext"))
from prose_values import EVAL_ROLE  # noqa: E402 - the book's own extension, from _ext/

pytestmark = pytest.mark.browser

NOTEBOOKS = [name for name in toc_files() if is_notebook(name)]
LANES = 2  # chapters run at the same time: one kernel per core
START_TIMEOUT = 60  # seconds for the server to answer
CHAPTER_TIMEOUT = 100  # seconds for a chapter to open, get its kernel and run
SETTLE_TIMEOUT = 30  # seconds for its prose to render after its last code cell has run

# The edit: the seed of the hard concrete gate's sampler check, and the prose
# number below it that the seed decides (the fractions of exact zeros). The
# cells between them (the prose values' formatting) are run too, as a student would.
EDITED = "chapters/hard_concrete"
EDIT_FROM, EDIT_TO = "np.random.default_rng(2018)", "np.random.default_rng(2019)"
EDITED_VALUE = "mc_zeros"

TAG = "\\tag{"  # an equation number, as the book writes it
# A myst_nb glue role or directive in the source, and its key: jupyterlab-myst
# shows such a role as its bare key ("cat-n"), so the key is what to look for.
GLUE = re.compile(r"\{glue(?::\w+)?\}`([^`]+)`|[`:]{3,}\s*\{glue(?::\w+)?\}\s*(\S+)")
# What rendered prose must never show: glue (a role, a directive or its key
# syntax), a role or directive left as text, an unexecuted inline expression.
RAW = {
    "raw myst_nb glue": re.compile(r"\{glue[^}]*\}(`[^`]*`)?|glue:(text|math|figure)"),
    "an unrendered role or directive": re.compile(
        r"`{3,}\s*\{|:{3,}\s*\{|\{(prf:|exercise|solution|cite|numref|doc|eval|math|"
        r"figure|code-cell|admonition|note|warning|tip|dropdown|bibliography)[^}]*\}"
    ),
    "an unexecuted inline expression": re.compile(r"Unexecuted inline expression"),
}

# One snapshot of the notebook on screen: every cell, in order, as the reader
# sees it. In rendered Markdown, jupyterlab-myst renders an {eval} as a bare
# <span> holding only text (text/plain), a <div class="not-prose inline-block"> (a rich MIME
# bundle), an error <span data-mime-type="...stderr">, or a <code> holding the
# expression while it has no result; errors it cannot render (a citation or a
# reference not found) are marked with a yellow warning span whose title says so.
# (Bare spans inside math, a link or a code block, such as a reference's
# "Exercise 1" or a highlighted BibTeX entry, are not inline expressions.)
SNAPSHOT = """(panel) => {
  const NUMBER = 'a[title="Link to this Equation"]';  // the number MyST gives an equation
  const prompt = (cell) => (cell.querySelector('.jp-InputPrompt')?.textContent || '').trim();
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  return {
    status: indicator ? indicator.getAttribute('data-status') : null,
    kernel: (panel.querySelector('.jp-KernelName')?.textContent || '').trim(),
    cells: [...panel.querySelectorAll('.jp-Notebook .jp-Cell')].map((cell) => {
      const kind = cell.classList.contains('jp-CodeCell') ? 'code'
        : cell.classList.contains('jp-MarkdownCell') ? 'markdown' : 'raw';
      const entry = {kind, prompt: prompt(cell)};
      if (kind === 'code') {
        entry.errors = [...cell.querySelectorAll(
          '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
          .map((e) => e.innerText.slice(0, 2000));
        entry.numbered = cell.querySelectorAll(`.jp-OutputArea ${NUMBER}`).length;
        return entry;
      }
      const myst = cell.querySelector('.jp-InputArea > .myst');
      entry.rendered = cell.classList.contains('jp-mod-rendered') && !!myst;
      if (!myst) return entry;
      entry.markers = [...myst.querySelectorAll('.text-yellow-600')]
        .map((e) => ({title: e.getAttribute('title') || '', text: e.textContent}));
      const plain = (e) => e.tagName === 'SPAN' && e.attributes.length === 0 &&
        e.children.length === 0 && !e.closest('.katex, a, pre, code');
      entry.values = [...myst.querySelectorAll(
        'span, div.not-prose.inline-block, span[data-mime-type="application/vnd.jupyter.stderr"]')]
        .filter((e) => plain(e) || e.tagName === 'DIV' || e.hasAttribute('data-mime-type'))
        .map((e) => ({text: e.textContent, error: e.hasAttribute('data-mime-type'),
                      html: e.outerHTML.slice(0, 200)}));
      entry.codes = [...myst.querySelectorAll('code')].map((e) => e.textContent);
      entry.tags = myst.querySelectorAll('.katex-display .tag').length;
      entry.numbered = myst.querySelectorAll(NUMBER).length;
      const prose = myst.cloneNode(true);
      prose.querySelectorAll('.katex, code, pre, script, style').forEach((e) => e.remove());
      entry.text = prose.textContent;
      return entry;
    }),
  };
}"""

# Every code cell has run (or one failed and Run All stopped), and the kernel is idle.
SETTLED = """(panel) => {
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator')
    ?.getAttribute('data-status');
  const prompts = [...panel.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
    .map((e) => e.textContent.trim());
  const failed = panel.querySelector(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
  if (status !== 'idle' || prompts.some((p) => p.includes('*'))) return false;
  return prompts.every((p) => /^\\[\\d+\\]:$/.test(p)) || !!failed;
}"""

# Every notification (toast) JupyterLab shows, as it appears: most close by themselves
# after a few seconds. Run in every page before JupyterLab's own scripts.
WATCH_TOASTS = """(() => {
  window.toastsSeen = [];
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (!(node instanceof Element)) continue;
        const toasts = node.matches('.Toastify__toast') ? [node]
          : [...node.querySelectorAll('.Toastify__toast')];
        toasts.forEach((toast) => window.toastsSeen.push(toast.textContent));
      }
    }
  }).observe(document, {childList: true, subtree: true});
})();"""
#: The toasts seen in the page since the last call (``WATCH_TOASTS``).
TAKE_TOASTS = "() => window.toastsSeen.splice(0)"
COUNT_TOASTS = "() => window.toastsSeen.length"
#: A chapter's toasts are taken once none has appeared for ``TOAST_QUIET`` seconds (a toast
#: that closing it brings comes a moment later), or after ``TOAST_WAIT`` seconds at most.
TOAST_QUIET = 0.5
TOAST_WAIT = 5

KERNEL_READY = """(panel) => {
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator')
    ?.getAttribute('data-status');
  const kernel = (panel.querySelector('.jp-KernelName')?.textContent || '').trim();
  return status === 'idle' && kernel.startsWith('Python 3');
}"""


@dataclass
class Lab:
    url: str
    token: str
    log: Path
    #: Requests and WebSockets that tried to leave the machine, and local requests that failed
    #: (``record_network``).
    left: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: The clone's files that JupyterLab could write, as they were before it started.
    clone_before: dict[str, tuple[int, int]] = field(default_factory=dict)

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None


def writable_by_lab() -> dict[str, tuple[int, int]]:
    """Every chapter's source and every checkpoint JupyterLab keeps beside the files it
    opens, with its modification time and size: what a server may write in the clone."""
    paths = [ROOT / f"{name}.md" for name in toc_files()]
    for folder in (ROOT, ROOT / "chapters"):
        paths += (folder / ".ipynb_checkpoints").glob("*")
    return {
        path.relative_to(ROOT).as_posix(): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in paths
        if path.is_file()
    }


def write_settings(folder: Path, plugin: str, values: dict) -> None:
    package, name = plugin.rsplit(":", 1)
    path = folder / package / f"{name}.jupyterlab-settings"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values))


def shared_results(folder: Path) -> Path:
    """``folder``, holding a copy of the build's results store if the build left one.

    A result missing there (a library edited since the build) is computed by the
    first kernel that needs it and stored in ``folder``, as in the build.
    """
    build = ROOT / "_build" / ".results_cache"
    if build.is_dir():
        shutil.copytree(build, folder)
    else:
        folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`make lab` on a port of 127.0.0.1, with private Jupyter folders; shut down after."""
    from jupyter_server.serverapp import list_running_servers

    require_or_skip(Path(CHROMIUM).is_file(), "Chromium is not installed")
    home = tmp_path_factory.mktemp("jupyter")
    settings = home / "user-settings"
    # The kernels talk to the server over Unix sockets, as in the book's build, whose
    # files are named after the kernels' connection files in the runtime folder: a
    # short folder, since a socket's path must fit in 107 bytes. Over TCP a kernel's
    # ports, found free by the server, can be taken by another process before the
    # kernel binds them (jupyter/jupyter_client#154): the downloads' runs lost one so.
    runtime = Path(tempfile.mkdtemp(prefix="lab-"))
    # Test only: every cell in the page, and nothing written back to a chapter.
    write_settings(settings, "@jupyterlab/notebook-extension:tracker", {"windowingMode": "none"})
    write_settings(settings, "@jupyterlab/docmanager-extension:plugin", {"autosave": False})
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        # The verifier's results, which the front page and five chapters show, as
        # the book's build shares them: a copy of the build's store (keyed on the
        # library's source), so that no kernel computes them again and nothing is
        # written into _build.
        BINARY_GUMBEL_RESULTS_CACHE=str(shared_results(home / "results")),
    )
    env.pop("JUPYTER_TOKEN", None)
    token = secrets.token_hex(16)
    # Port 0: the server asks the system for a free port as it binds, and writes the
    # port into its file in the runtime folder. A port found free here beforehand
    # could be taken by another process during the seconds the server takes to start.
    # The checkpoint JupyterLab saves of each file it opens goes to the test's folder,
    # not to a .ipynb_checkpoints folder beside the chapter.
    args = (
        f"--no-browser --port=0 --ServerApp.port_retries=0 --IdentityProvider.token={token}"
        " --KernelManager.transport=ipc"
        f" --FileCheckpoints.checkpoint_dir={home / 'checkpoints'}"
    )
    log = home / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "-C", str(ROOT), "lab", f"LAB_ARGS={args}"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Lab("", token, log, clone_before=writable_by_lab())
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(
                    f"`make lab` exited with {server.returncode}:\n{log.read_text()[-3000:]}"
                )
            try:
                if not running.url:  # a ValueError until the server has written its file
                    (server_info,) = list_running_servers(str(runtime))
                    running.url = f"http://127.0.0.1:{server_info['port']}"
                running.api("/api/status")
                break
            except (OSError, ValueError):
                if time.monotonic() > deadline:
                    tail = log.read_text()[-3000:]
                    pytest.fail(f"`make lab` did not answer in {START_TIMEOUT} s:\n{tail}")
                time.sleep(0.2)
        yield running
    finally:
        stop(server, running)
        shutil.rmtree(runtime, ignore_errors=True)


def stop(server: subprocess.Popen, lab: Lab) -> None:
    """Shut the server (and its kernels) down; kill its process group if it will not go."""
    if server.poll() is None and lab.url:  # no url: the server never said where it is
        try:
            lab.api("/api/shutdown", method="POST")
            server.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if server.poll() is not None:
            break
        try:
            os.killpg(server.pid, sig)
            server.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass


# ---------------------------------------------------------------- the browser


async def menu(page, top: str, item: str) -> None:
    """Click ``top`` in the menu bar, then ``item`` in its menu."""
    await page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$")).click()
    await page.locator(
        ".lm-Menu-content .lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")
    ).click()


async def wait_for(page, script: str, panel, timeout: float, what: str) -> None:
    handle = await panel.element_handle()
    try:
        await page.wait_for_function(script, arg=handle, timeout=timeout * 1000, polling=250)
    except Exception as error:  # Playwright's TimeoutError, with the state on screen
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}") from error


async def snapshot(panel) -> dict:
    return await panel.evaluate(SNAPSHOT)


def all_rendered(found: dict) -> bool:
    return all(cell["rendered"] for cell in found["cells"] if cell["kind"] == "markdown")


async def settled_snapshot(panel) -> dict:
    """A snapshot once two in a row agree and show every Markdown cell rendered.

    The prose renders just after the kernel answers, and Run All renders the
    Markdown cells after the last code cell only once that cell has run, each
    asking the kernel for its values: under load that can take seconds. After
    ``SETTLE_TIMEOUT`` the last snapshot is returned as it is, for the checks to report.
    """
    last = await snapshot(panel)
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        await asyncio.sleep(0.4)
        now = await snapshot(panel)
        if now == last and all_rendered(now):
            return now
        last = now
    return last


async def open_chapter(page, lab: Lab, name: str):
    """Open ``name`` with File → Open from Path…; return its notebook panel."""
    await menu(page, "File", "Open from Path…")
    dialog = page.locator(".jp-Dialog")
    await dialog.locator("input").fill(f"{name}.md")
    await dialog.locator("input").press("Enter")
    panel = page.locator(".jp-NotebookPanel:visible")
    await panel.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=30_000)
    return panel


async def run_chapter(page, lab: Lab, name: str, edit: bool) -> dict:
    result: dict = {"dialogs": [], "toasts": []}
    start = time.monotonic()
    panel = await open_chapter(page, lab, name)
    # The kernel must start by itself: no "Select Kernel" (or any other) dialog.
    deadline = time.monotonic() + 30
    while not await panel.evaluate(KERNEL_READY):
        dialogs = await page.locator(".jp-Dialog").all_inner_texts()
        if dialogs:
            result["dialogs"] = dialogs
            await page.keyboard.press("Escape")
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no Python 3 kernel after 30 s; dialogs seen: {result['dialogs']}"
            )
        await asyncio.sleep(0.25)
    await menu(page, "Run", "Run All Cells")
    await wait_for(
        page, SETTLED, panel, CHAPTER_TIMEOUT, "every cell to run and the kernel to be idle"
    )
    result["snapshot"] = await settled_snapshot(panel)
    result["seconds"] = time.monotonic() - start
    if edit:
        result["edit"] = await edit_and_rerun(page, panel, result["snapshot"])
    await close_chapter(page, lab, name)
    result["toasts"] = await settled_toasts(page)
    return result


async def settled_toasts(page) -> list[str]:
    """The toasts seen since the last call, taken once ``TOAST_QUIET`` seconds have passed
    with no new one (``TOAST_WAIT`` at most)."""
    deadline = time.monotonic() + TOAST_WAIT
    count = await page.evaluate(COUNT_TOASTS)
    while time.monotonic() < deadline:
        await asyncio.sleep(TOAST_QUIET)
        now = await page.evaluate(COUNT_TOASTS)
        if now == count:
            break
        count = now
    return await page.evaluate(TAKE_TOASTS)


def edit_target() -> tuple[int, int, str]:
    """The code cell to edit, the Markdown cell that reports it, and the edited source."""
    cells = jupytext.read(source(EDITED)).cells
    code = next(i for i, c in enumerate(cells) if c.cell_type == "code" and EDIT_FROM in c.source)
    prose = next(i for i in range(code + 1, len(cells)) if cells[i].cell_type == "markdown")
    shown = EVAL_ROLE.findall(cells[prose].source)
    assert EDITED_VALUE in shown, f"{EDITED_VALUE} not in the prose"
    return code, prose, cells[code].source.replace(EDIT_FROM, EDIT_TO)


def eval_values(cell: dict, source_text: str) -> dict[str, str]:
    names = EVAL_ROLE.findall(source_text)
    values = cell.get("values", [])
    if len(values) != len(names):
        return {}
    return {name: value["text"] for name, value in zip(names, values, strict=True)}


def formatting_sources(code: int, prose: int) -> list[str]:
    """The code cells between the edited cell and its prose: they format its values."""
    cells = jupytext.read(source(EDITED)).cells
    return [cells[i].source for i in range(code + 1, prose) if cells[i].cell_type == "code"]


async def edit_and_rerun(page, panel, before: dict) -> dict:
    """Change the seed in the editor, then Shift+Enter each cell down to the prose below it."""
    code, prose, new_source = edit_target()
    prose_source = jupytext.read(source(EDITED)).cells[prose].source
    old = eval_values(before["cells"][prose], prose_source).get(EDITED_VALUE)
    cell = panel.locator(".jp-Notebook .jp-Cell").nth(code)
    await cell.locator(".cm-content").click()
    await page.keyboard.press("Control+a")
    await page.keyboard.insert_text(new_source)
    typed = await cell.locator(".cm-content").inner_text()
    for _ in range(code, prose):  # the edited cell, then the cells that format its values
        await page.keyboard.press("Shift+Enter")
    await page.keyboard.press("Shift+Enter")  # run the prose: its {eval}s are evaluated again
    new, deadline = old, time.monotonic() + 60
    while new == old and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        new = eval_values((await snapshot(panel))["cells"][prose], prose_source).get(EDITED_VALUE)
    await wait_for(page, SETTLED, panel, 60, "the edited cell to run")
    after = await settled_snapshot(panel)
    new = eval_values(after["cells"][prose], prose_source).get(EDITED_VALUE)
    return {"before": old, "after": new, "typed": typed, "snapshot": after}


async def close_chapter(page, lab: Lab, name: str) -> None:
    """Close the tab without saving, and shut its kernel down."""
    await menu(page, "File", "Close Tab")
    discard = page.locator(".jp-Dialog button", has_text=re.compile("^(Discard|Don't Save)$"))
    try:
        await discard.click(timeout=5_000)
    except Exception:  # no unsaved changes: no dialog
        pass
    sessions = await asyncio.to_thread(lab.api, "/api/sessions")
    for session in sessions:
        if session["path"] == f"{name}.md":
            await asyncio.to_thread(lab.api, f"/api/sessions/{session['id']}", "DELETE")


def record_every_page(context, lab: Lab) -> None:
    """Record in ``lab`` what every page of ``context`` does over the network that must not
    happen (``record_network``): the browser resolves no other host (``CHROMIUM_ARGS``), so a
    request to one also fails."""
    record = {"left": lab.left, "failed": lab.failed}
    context.on("page", lambda page: record_network(page, record))


async def load_lab(page, lab: Lab, workspace: str) -> None:
    """JupyterLab in its own workspace, once its menu bar and file browser are shown."""
    await page.goto(f"{lab.url}/lab/workspaces/{workspace}?token={quote(lab.token)}")
    await page.locator(".lm-MenuBar-itemLabel", has_text="File").wait_for(timeout=60_000)
    await page.locator(".jp-DirListing-item").first.wait_for(timeout=60_000)


async def drive(lab: Lab, names: list[str], edit: bool) -> dict:
    from playwright.async_api import async_playwright

    results: dict = {}
    queue = list(names)

    async def lane(context, number: int) -> None:
        page = await context.new_page()

        async def load():
            await load_lab(page, lab, f"test-lane-{number}")

        await load()
        name = None
        while queue:
            name = queue.pop(0)
            try:
                results[name] = await run_chapter(page, lab, name, edit and name == EDITED)
            except Exception as error:  # report it for this chapter, carry on with a fresh page
                results[name] = {"failure": f"{type(error).__name__}: {error}"}
                await load()
        # A toast later than run_chapter waits for goes to the next chapter of the lane, and
        # after the last one to it, so that none goes unchecked.
        late = await settled_toasts(page)
        if late and name in results and "toasts" in results[name]:
            results[name]["toasts"] += late
        await page.close()

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        record_every_page(context, lab)
        await context.add_init_script(WATCH_TOASTS)
        await asyncio.gather(*(lane(context, n) for n in range(min(LANES, len(queue)))))
        await context.close()
        await browser.close()
    return results


@pytest.fixture(scope="module")
def lab_runs(request, lab):
    """Every selected chapter run in JupyterLab (``-k`` selects chapters), two at a time."""
    selected = {
        item.callspec.params["name"]
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    }
    names = [name for name in NOTEBOOKS if name in selected]
    names.sort(key=lambda name: name != EDITED)  # the edited chapter first: it has most to do
    edit = any(
        item.module is request.module
        and item.originalname == "test_a_changed_seed_changes_the_prose"
        for item in request.session.items
    )
    started = time.monotonic()
    # Playwright's async API in a thread of its own, clear of any sync Playwright in this session.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        results = pool.submit(asyncio.run, drive(lab, names, edit)).result()
    print(f"\nJupyterLab ran {len(names)} chapters in {time.monotonic() - started:.1f} s")
    return results


# ---------------------------------------------------------------- the checks


#: The notifications (toasts) JupyterLab may show while a chapter is opened and run that
#: ask nothing and report no problem. Any other is reported.
HARMLESS_TOASTS: frozenset[str] = frozenset()


def page_values(html_dir: Path, name: str) -> dict[str, str]:
    """Each ``{eval}`` value of chapter ``name`` as the book means it: the string whose repr
    the download saves (its text/plain, which the page and jupyterlab-myst both show without
    its quotes; a repr with an escape in it would show the escape, not the character)."""
    saved = saved_values(nbformat.read(download(html_dir, name), as_version=4))
    return {expression: str(ast.literal_eval(text)) for expression, text in saved.items()}


def problems(name: str, result: dict, expected: dict[str, str]) -> list[str]:
    """What is wrong with chapter ``name`` as JupyterLab shows it, in words; ``expected``
    holds the value of each of its ``{eval}`` expressions in the book (``page_values``)."""
    if "failure" in result:
        return [result["failure"]]
    found = []
    if result["dialogs"]:
        found.append(f"a dialog opened with the chapter: {result['dialogs']}")
    toasts = [toast for toast in result["toasts"] if toast not in HARMLESS_TOASTS]
    if toasts:
        found.append(f"JupyterLab showed notifications: {toasts}")
    shot = result["snapshot"]
    cells = jupytext.read(source(name)).cells
    if len(shot["cells"]) != len(cells):
        return found + [f"{len(shot['cells'])} cells on screen, {len(cells)} in the notebook"]
    for number, (seen, cell) in enumerate(zip(shot["cells"], cells, strict=True)):
        first = cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""
        where = f"cell {number} ({first!r})"
        if seen["kind"] == "code":
            if not re.fullmatch(r"\[\d+\]:", seen["prompt"]):
                found.append(f"{where} did not run (prompt {seen['prompt']!r})")
            for error in seen["errors"]:
                found.append(f"{where} has an error output:\n{error}")
            if seen["numbered"]:
                found.append(f"{where}: {seen['numbered']} displayed equations numbered by MyST")
            continue
        if seen["kind"] != "markdown":
            continue
        if not seen["rendered"]:
            found.append(f"{where}: Markdown not rendered")
            continue
        for label, pattern in RAW.items():
            raw = sorted({m.group(0) for m in pattern.finditer(seen["text"])})
            if raw:
                found.append(f"{where} shows {label} as text: {raw[:8]}")
        for marker in seen["markers"]:
            if "citation" in marker["title"].lower():
                found.append(f"{where}: unresolved citation {marker['text']!r} ({marker['title']})")
            elif "inline expression" in marker["title"].lower() or ": " in marker["title"]:
                found.append(f"{where}: inline expression failed: {marker['title']}")
            else:
                found.append(f"{where}: {marker['title']}: {marker['text']!r}")
        # An equation is numbered once, as in the book: by its own \tag, never by MyST.
        if seen["numbered"]:
            found.append(f"{where}: {seen['numbered']} displayed equations numbered by MyST")
        tags = cell.source.count(TAG)
        if seen["tags"] != tags:
            found.append(f"{where}: {seen['tags']} equation tags shown, {tags} in the source")
        keys = {a or b for a, b in GLUE.findall(cell.source)}
        values = [v for v in seen["values"] if v["text"] not in keys]
        shown = sorted(k for k in keys if k in seen["text"] or k in seen["codes"])
        if shown:
            found.append(f"{where} shows raw myst_nb glue keys instead of values: {shown}")
        names = EVAL_ROLE.findall(cell.source)
        unexecuted = sorted(set(names) & set(seen["codes"]))
        if unexecuted:
            found.append(f"{where}: {{eval}} not executed (shown as code): {unexecuted}")
        elif len(values) != len(names):
            found.append(
                f"{where}: {len(names)} {{eval}} in the source, {len(values)} rendered: "
                f"{[(v['text'], v['html']) for v in values]}"
            )
        else:
            for expression, value in zip(names, values, strict=True):
                if value["error"] or not value["text"].strip():
                    found.append(f"{where}: {{eval}}`{expression}` rendered {value['text']!r}")
                elif expression in WALL_CLOCK.get(name, ()):
                    continue  # a measurement of this run
                elif value["text"] != expected.get(expression):
                    found.append(
                        f"{where}: {{eval}}`{expression}` shows {value['text']!r}, "
                        f"the book {expected.get(expression)!r}"
                    )
    return found


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_chapter_runs_in_jupyterlab(lab, lab_runs, html_dir, name):
    result = lab_runs[name]
    if "seconds" in result:
        print(f"{name}: opened and run in {result['seconds']:.1f} s")
    assert not lab.left, f"requests tried to leave the machine: {lab.left[:5]}"
    assert not lab.failed, f"local requests failed: {lab.failed[:5]}"
    found = problems(name, result, page_values(html_dir, name))
    assert not found, f"{name} in JupyterLab:\n- " + "\n- ".join(found)


def rendered_as_meant(name: str, values: dict[str, str], toasts=()) -> dict:
    """What ``run_chapter`` finds for chapter ``name`` when JupyterLab renders it as it
    should, every ``{eval}`` showing its entry of ``values``, and shows ``toasts``."""
    cells = []
    for cell in jupytext.read(source(name)).cells:
        if cell.cell_type == "code":
            cells.append({"kind": "code", "prompt": "[1]:", "errors": [], "numbered": 0})
        elif cell.cell_type == "markdown":
            shown = [
                {"text": values[expression], "error": False, "html": ""}
                for expression in EVAL_ROLE.findall(cell.source)
            ]
            cells.append(
                {"kind": "markdown", "rendered": True, "markers": [], "codes": [], "text": "",
                 "values": shown, "tags": cell.source.count(TAG), "numbered": 0}
            )  # fmt: skip
        else:
            cells.append({"kind": "raw"})
    return {"dialogs": [], "toasts": list(toasts), "snapshot": {"cells": cells}}


def test_the_checks_report_a_value_not_the_books_and_any_notification(html_dir):
    """The checks of a chapter in JupyterLab, on the chapter as it should be rendered: nothing
    to report, even with other wall-clock measurements; a value that differs from the book's
    is reported, as is one whose repr holds an escape (which jupyterlab-myst shows as it is),
    and so is any notification."""
    name = "chapters/binary_vae_training"
    book = page_values(html_dir, name)
    assert problems(name, rendered_as_meant(name, book), book) == []
    remeasured = dict.fromkeys(WALL_CLOCK[name], "9.99")
    assert problems(name, rendered_as_meant(name, {**book, **remeasured}), book) == []
    other = next(expression for expression in book if expression not in WALL_CLOCK[name])
    wrong = problems(name, rendered_as_meant(name, {**book, other: "9.99"}), book)
    assert wrong and all(f"{{eval}}`{other}` shows '9.99'" in problem for problem in wrong)
    spaced = "1\u202f000"  # a narrow no-break space: its repr is '1\\u202f000'
    escaped = rendered_as_meant(name, {**book, other: repr(spaced)[1:-1]})
    assert problems(name, escaped, {**book, other: spaced})
    toasts = ["Would you like to receive official Jupyter news?", "Kernel restarting"]
    assert problems(name, rendered_as_meant(name, book, toasts), book) == [
        f"JupyterLab showed notifications: {toasts}"
    ]


async def probe_a_lab_page(lab: Lab, socket_url: str, refused: str) -> tuple[list, list]:
    """A page of a context set up as ``drive`` sets up JupyterLab's, where a toast appears
    and closes, a WebSocket opens to ``socket_url`` and a request to ``refused`` fails: what
    two calls of ``TAKE_TOASTS`` return after the toast has closed."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = await browser.new_context()
        record_every_page(context, lab)
        await context.add_init_script(WATCH_TOASTS)
        page = await context.new_page()
        await page.goto("data:text/html,<title>probe</title>")
        await page.evaluate(
            """async ([socket, refused]) => {
              const toast = document.createElement('div');
              toast.className = 'Toastify__toast';
              toast.textContent = 'A probe';
              document.body.append(toast);
              await new Promise((done) => setTimeout(done, 50));
              toast.remove();
              await new Promise((done) => { const s = new WebSocket(socket); s.onclose = done; });
              await fetch(refused).catch(() => null);
            }""",
            [socket_url, refused],
        )
        seen = await page.evaluate(TAKE_TOASTS)
        again = await page.evaluate(TAKE_TOASTS)
        await browser.close()
    return seen, again


def test_a_lab_page_records_a_closed_toast_a_websocket_and_a_failed_request():
    """The recording of a JupyterLab page itself: a notification that closed before the
    chapter's checks is still reported, once; a WebSocket to another host is recorded as
    leaving the machine, and a local request that failed as failed."""
    require_or_skip(Path(CHROMIUM).is_file(), "Chromium is not installed")
    probe = Lab("http://127.0.0.1", "", Path())  # only its records are used
    port = free_port()
    socket_url, refused = f"ws://probe.localhost:{port}/", f"http://127.0.0.1:{port}/missing.js"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        seen, again = pool.submit(
            asyncio.run, probe_a_lab_page(probe, socket_url, refused)
        ).result()
    assert seen == ["A probe"]
    assert again == []
    assert probe.left == [socket_url]
    assert probe.failed == [(refused, "net::ERR_CONNECTION_REFUSED")]


def expected_values(seed_source: str) -> dict:
    """Run the chapter's imports, the edited cell and the cells formatting its values here,
    as the kernel does (the imports are the chapter's first code cell)."""
    cells = jupytext.read(source(EDITED)).cells
    imports = next(c.source for c in cells if c.cell_type == "code")
    namespace: dict = {}
    code, prose, _ = edit_target()
    for cell_source in [imports, seed_source, *formatting_sources(code, prose)]:
        exec(cell_source, namespace)  # noqa: S102 - the chapter's own cells
    return namespace


@pytest.mark.parametrize("name", [EDITED])
def test_a_changed_seed_changes_the_prose(lab_runs, name):
    result = lab_runs[name]
    assert "failure" not in result, result.get("failure")
    edit = result["edit"]
    code, prose, new_source = edit_target()
    old_source = jupytext.read(source(EDITED)).cells[code].source
    assert EDIT_TO in edit["typed"], f"the editor shows {edit['typed']!r}"
    was = expected_values(old_source)[EDITED_VALUE]
    now = expected_values(new_source)[EDITED_VALUE]
    assert was != now, "the edit does not change the value: choose another one"
    assert edit["before"] == was, f"before the edit the prose shows {edit['before']!r}, not {was!r}"
    assert edit["after"] == now, f"after the edit the prose shows {edit['after']!r}, not {now!r}"
    # The edit stays in the browser: the chapter on disk is not touched.
    assert EDIT_TO not in source(EDITED).read_text()


# ---------------------------------------------------------------- a link to another chapter

# A Markdown link from one chapter to a labelled theorem of another, as the
# chapters write them (README, "Writing a chapter").
# The theorem lies well below the top of its chapter, so that seeing it takes a scroll.
LINK_FROM, LINK_TEXT = "chapters/unnormalised", "the binary Gumbel-softmax theorem"
LINK_TO, LINK_ANCHOR = "chapters/binary_reduction", "thm-binary-gumbel-softmax"
LINK_TIMEOUT = 60  # seconds for the linked chapter to open and show its anchor

# The current tab of the main area, and whether the anchor's element is inside
# the visible part of the notebook that holds it, the notebook having been
# scrolled to get there (a notebook opens at its top).
CURRENT_TAB = "#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel"
ANCHOR_IN_VIEW = """([panel, id]) => {
  const element = panel.querySelector(`[id="${CSS.escape(id)}"]`);
  if (!element) return false;
  const scroller = panel.querySelector('.jp-WindowedPanel-outer') || panel;
  const box = element.getBoundingClientRect();
  const frame = scroller.getBoundingClientRect();
  let scrolled = false;
  for (let e = element; e && e !== panel.parentElement; e = e.parentElement) {
    scrolled = scrolled || e.scrollTop > 0;
  }
  return scrolled && box.height > 0 && box.bottom > frame.top && box.top < frame.bottom;
}"""


async def follow_link(lab: Lab) -> dict:
    """Open LINK_FROM, click its link to LINK_TO's anchor; say what JupyterLab then shows."""
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        record_every_page(context, lab)
        page = await context.new_page()
        await load_lab(page, lab, "test-links")
        source_panel = await open_chapter(page, lab, LINK_FROM)
        link = source_panel.locator(".jp-MarkdownCell a", has_text=LINK_TEXT).first
        await link.wait_for(timeout=30_000)
        result = {"href": await link.get_attribute("href")}
        await link.scroll_into_view_if_needed()
        await link.click()
        tab, deadline = "", time.monotonic() + LINK_TIMEOUT
        while tab != f"{PurePosixPath(LINK_TO).name}.md" and time.monotonic() < deadline:
            await asyncio.sleep(0.25)
            tab = (await page.locator(CURRENT_TAB).all_inner_texts() or [""])[0]
        result["tab"] = tab
        panel = page.locator(".jp-NotebookPanel:visible")
        result["notebooks_shown"] = await panel.count()
        result["editors_shown"] = await page.locator(
            ".jp-FileEditor:visible, .jp-MarkdownViewer:visible"
        ).count()
        result["in_view"] = False
        if result["notebooks_shown"] == 1:
            try:
                await page.wait_for_function(
                    ANCHOR_IN_VIEW,
                    arg=[await panel.element_handle(), LINK_ANCHOR],
                    timeout=LINK_TIMEOUT * 1000,
                    polling=250,
                )
                result["in_view"] = True
            except PlaywrightTimeoutError:  # reported by the assertion
                pass
        result["pages"] = len(context.pages)
        result["url"] = page.url
        sessions = await asyncio.to_thread(lab.api, "/api/sessions")
        for session in sessions:
            await asyncio.to_thread(lab.api, f"/api/sessions/{session['id']}", "DELETE")
        await context.close()
        await browser.close()
    return result


def test_a_link_to_another_chapter_opens_it_as_a_notebook_at_its_anchor(lab):
    """The linked chapter opens in the same JupyterLab, as a notebook, scrolled to its theorem.

    Not the raw ``.md`` in a new browser tab, as jupyterlab-myst alone does:
    ``tools/lab-links/``, which `make lab` installs, handles the click.
    """
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, follow_link(lab)).result()
    assert not lab.left, f"requests tried to leave the machine: {lab.left[:5]}"
    assert not lab.failed, f"local requests failed: {lab.failed[:5]}"
    assert PurePosixPath(LINK_TO).name + ".md" in result["href"], result
    assert result["pages"] == 1, f"the link opened another browser tab: {result}"
    # Still JupyterLab (which may write the open document into its URL), not the raw file.
    assert urlparse(result["url"]).path.startswith("/lab"), f"the page left JupyterLab: {result}"
    assert result["tab"] == f"{PurePosixPath(LINK_TO).name}.md", result
    assert result["notebooks_shown"] == 1 and result["editors_shown"] == 0, result
    assert result["in_view"], f"#{LINK_ANCHOR} is not in view in {LINK_TO}: {result}"


def test_jupyterlab_writes_nothing_into_the_clone(lab, lab_runs):
    """After every chapter was opened, run, edited and linked to (the tests above, which run
    first), no chapter and no checkpoint beside one was written: autosave is off, and the
    server keeps its checkpoints in the test's own folder."""
    assert lab_runs, "no chapter was run"
    after = writable_by_lab()
    assert after == lab.clone_before, (
        f"JupyterLab wrote into the clone: {sorted(after.items() ^ lab.clone_before.items())[:10]}"
    )


def test_the_kernels_talk_to_the_server_over_unix_sockets(lab, lab_runs):
    """Every kernel the chapters started used the sockets, not a TCP port (see ``lab``);
    a kernel on TCP warns in the server's log (``KERNEL_ON_TCP``)."""
    assert lab_runs, "no chapter was run"
    log = lab.log.read_text(encoding="utf-8")
    assert "Kernel started" in log, "the server's log names no kernel"
    assert KERNEL_ON_TCP not in log, "a kernel used a TCP port"
