"""Serve MathJax, and the font it typesets with, from the built site instead of a CDN.

Sphinx loads MathJax from ``mathjax_path``; by default that is a CDN, so the
book's equations stay raw TeX offline. This extension points ``mathjax_path``
at a pinned copy vendored in ``vendor/`` and copies that copy into
``_static/mathjax/`` when the build finishes.

MathJax 4 keeps its fonts in separate npm packages and, unless told otherwise,
loads them from a CDN. The font package is vendored too, copied to
``_static/mathjax/fonts/mathjax-newcm-font/``, and the loader's ``fonts`` path
points there (``[mathjax]/fonts``, relative to wherever the entry point was
loaded from, so it works on pages at any depth). The speech rule engine's
English and Nemeth maps are vendored for the accessibility extensions; nothing
else is fetched.

Long equations break to fit their column (MathJax 4's line breaking, for
display and in-line math). In-line math breaks after a binary operator or a
relation, as TeX breaks it, rather than before it (MathML's default, which
MathJax follows), so that a broken expression's next line does not start with
an operator (a minus there reads as a sign). A display equation that still
cannot fit scrolls inside its own box: a small script marks such a box
focusable and labelled so a keyboard reader can scroll it, and
``_static/math.css`` draws a fade at the edge that has more to show.

The files are copied on ``build-finished`` rather than listed in
``html_static_path``: Jupyter Book adds every ``.js`` file it finds in a static
path as a ``<script>`` on every page, which would load dozens of MathJax
components eagerly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import sphinx_adapter

MATHJAX_VERSION = "4.1.3"
FONT = "mathjax-newcm"
FONT_VERSION = "4.1.3"
VENDOR = Path(__file__).resolve().parent.parent / "vendor"
VENDORED = VENDOR / f"mathjax-{MATHJAX_VERSION}"
VENDORED_FONT = VENDOR / f"{FONT}-font-{FONT_VERSION}"
ENTRY_POINT = "tex-mml-chtml.js"

#: The MathJax settings the book needs; merged under whatever ``mathjax3_config`` sets.
MATHJAX_CONFIG = {
    # [fonts]/mathjax-newcm-font/... is where MathJax looks for the font's files.
    "loader": {"paths": {"fonts": "[mathjax]/fonts"}},
    # \text{...} stays plain text, as in MathJax 3 and in JupyterLab: with MathJax 4's
    # textmacros a "_" or "$" in the steps' explanations would be a TeX error.
    "tex": {"packages": {"[-]": ["textmacros"]}},
    "output": {
        "font": FONT,
        "displayOverflow": "linebreak",
        "linebreaks": {"inline": True, "width": "100%"},
    },
    # Screen readers get the hidden MathML (as with MathJax 3). MathJax 4's semantic
    # enrichment and speech are off by default: they made typesetting a page several
    # times slower (about 2 s against 7 to 20 s for a chapter on a loaded machine). A
    # reader can still turn them on in MathJax's menu; their files are served locally.
    "options": {
        "enableEnrichment": False,
        "enableSpeech": False,
        "enableBraille": False,
        "enableExplorer": False,
        "menuOptions": {
            "settings": {"enrich": False, "speech": False, "braille": False, "assistiveMml": True}
        },
    },
}

#: Screens at most this wide are phones: the math is set smaller there.
NARROW_SCREEN = "(max-width: 40rem)"
PHONE_SCALE = 0.9

#: Before MathJax starts: sets the math smaller on a phone, and breaks in-line math after
#: its operators. After typesetting, and again when the window is resized: marks every
#: display equation wider than its box as a scrollable, focusable, labelled region.
SCROLL_SCRIPT = """
(() => {
  // On a phone the math is set a tenth smaller, so that the tables of steps
  // (an expression and its justification side by side) fit the column.
  const config = window.MathJax;
  if (config && !config.version && window.matchMedia(NARROW).matches) {
    config.output = Object.assign(config.output || {}, {scale: PHONE_SCALE});
  }
  // In-line math breaks after an operator or relation, as TeX breaks it, and not before
  // (MathML's default): a minus at the start of the next line would read as a sign.
  if (config && !config.version) {
    config.startup = Object.assign(config.startup || {}, {
      ready() {
        MathJax.startup.defaultReady();
        const tex = MathJax.startup.document.inputJax.find((jax) => jax.name === "TeX");
        tex.postFilters.add(({math, data}) => {
          if (math.display) return;
          data.root.walkTree((node) => {
            if (node.isKind("mo")) node.attributes.set("linebreakstyle", "after");
          });
        });
      },
    });
  }
  const label = "Wide equation: scroll sideways to see all of it";
  function mark() {
    for (const box of document.querySelectorAll("div.math")) {
      const wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("math-scrolls", wide);
      if (wide) {
        box.tabIndex = 0;
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", label);
        const atEnd = box.scrollLeft + box.clientWidth >= box.scrollWidth - 1;
        box.classList.toggle("math-scrolled-end", atEnd);
        box.classList.toggle("math-scrolled-start", box.scrollLeft > 0);
      } else if (box.getAttribute("aria-label") === label) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }
  document.addEventListener("scroll", (event) => {
    const box = event.target;
    if (box instanceof Element && box.classList.contains("math-scrolls")) {
      box.classList.toggle(
        "math-scrolled-end", box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
      box.classList.toggle("math-scrolled-start", box.scrollLeft > 0);
    }
  }, true);
  let pending;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(mark, 100);
  });
  window.addEventListener("load", () => {
    const ready = window.MathJax?.startup?.promise;
    if (ready) ready.then(mark);
  });
})();
"""


def _merge(base: dict, extra: dict) -> dict:
    """``extra`` under ``base``: nested dictionaries merged, ``base``'s values kept."""
    merged = dict(extra)
    for key, value in base.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(value, merged[key])
        else:
            merged[key] = value
    return merged


def _point_at_local_copy(app, config):
    for required in (VENDORED / ENTRY_POINT, VENDORED_FONT / "chtml" / "woff2"):
        if not required.exists():
            raise FileNotFoundError(f"vendored MathJax is missing: {required}")
    # A relative mathjax_path is resolved against the site's _static directory.
    config.mathjax_path = f"mathjax/{ENTRY_POINT}"
    config.mathjax3_config = _merge(config.mathjax3_config or {}, MATHJAX_CONFIG)


def _add_scroll_script(app, pagename, templatename, context, doctree):
    """On every page that loads MathJax (as ``sphinx.ext.mathjax`` decides), add the script."""
    if not sphinx_adapter.loads_mathjax(app, pagename):
        return
    body = SCROLL_SCRIPT.replace("NARROW", repr(NARROW_SCREEN)).replace(
        "PHONE_SCALE", str(PHONE_SCALE)
    )
    # After the page's window.MathJax settings, before MathJax runs (deferred).
    app.builder.add_js_file(None, body=body, priority=sphinx_adapter.MATHJAX_CONFIG_PRIORITY + 1)


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    # Nothing of another version may be left behind.
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(VENDORED, target, dirs_exist_ok=True)
    shutil.copytree(VENDORED_FONT, target / "fonts" / f"{FONT}-font", dirs_exist_ok=True)


def setup(app):
    app.setup_extension("sphinx_adapter")
    app.connect("config-inited", _point_at_local_copy)
    app.connect("html-page-context", _add_scroll_script)
    app.connect("build-finished", _copy_mathjax)
    return {"version": MATHJAX_VERSION, "parallel_read_safe": True, "parallel_write_safe": True}
