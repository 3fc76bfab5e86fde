"""The Sphinx adapter (``_ext/sphinx_adapter.py``) against the installed Sphinx and themes.

Small Sphinx builds check that each internal the adapter wraps still behaves as the
book's extensions rely on: a pin mismatch fails a ``-W`` build; the adapter's MathJax
decision is ``sphinx.ext.mathjax``'s; a filtered warning is neither shown nor counted;
the single page gets the ``html`` visitors that a ``singlehtml`` registration hides and
loses the theme's search index tag; a notebook offered before the theme's header
buttons is in the download menu. The templates that override the themes' are checked
against the installed themes' files.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pydata_sphinx_theme
import pytest
import sphinx_book_theme

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import sphinx_adapter  # noqa: E402

#: The start of every test build's ``conf.py``: the book's extensions are importable.
CONF = f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"


def _build(source: Path, builder: str, conf: str, pages: dict[str, str], modules=None):
    """Build ``pages`` (reStructuredText, by name) in ``source`` with ``-W``; the ``modules``
    (Python source, by module name) are importable from ``conf.py``."""
    modules = modules or {}
    source.mkdir()
    (source / "conf.py").write_text(f"{CONF}sys.path.insert(0, {str(source)!r})\n{conf}\n")
    for name, text in {**pages, **modules}.items():
        suffix = ".py" if name in modules else ".rst"
        (source / f"{name}{suffix}").write_text(text)
    out = source / "out"
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", builder, str(source), str(out)],
        capture_output=True,
        text=True,
    )
    return run, out


#: A page with math, one without, and the root page (which loads MathJax for the math
#: page in its table of contents).
MATH_PAGES = {
    "index": "Index\n=====\n\n.. toctree::\n\n   math\n   plain\n",
    "math": "Math\n====\n\n.. math:: x^2\n",
    "plain": "Plain\n=====\n\nNo math.\n",
}

# ------------------------------------------------------------ the version guard


@pytest.mark.parametrize(
    ("adapter", "package"), [("sphinx_adapter", "sphinx"), ("myst_nb_adapter", "myst-nb")]
)
def test_a_pin_mismatch_fails_a_strict_build_naming_the_package(tmp_path, adapter, package):
    """Loaded as an extension, either adapter warns of a changed version, naming it (so
    ``-W`` fails); with its own pins the same build passes."""
    conf = f"extensions = [{adapter!r}]"
    pinned, _ = _build(tmp_path / "pinned", "html", conf, {"index": "Index\n=====\n"})
    assert pinned.returncode == 0, pinned.stderr
    changed = f"import {adapter}\n{adapter}.PINNED = {{{package!r}: '0.0.1'}}\n{conf}"
    run, _ = _build(tmp_path / "changed", "html", changed, {"index": "Index\n=====\n"})
    assert run.returncode != 0
    assert f"{package} is " in run.stderr and f"_ext/{adapter}.py was written for 0.0.1" in (
        run.stderr
    )


# ------------------------------------------------------------ MathJax

#: Records the adapter's decision for each page, and on the pages that load MathJax
#: adds a script at the priority ``offline_mathjax`` uses for its own.
PROBE_MATH = """
import json
from pathlib import Path

import sphinx_adapter

decided = {}


def record(app, pagename, templatename, context, doctree):
    decided[pagename] = sphinx_adapter.loads_mathjax(app, pagename)
    if decided[pagename]:
        app.builder.add_js_file(
            None, body="/* probe */", priority=sphinx_adapter.MATHJAX_CONFIG_PRIORITY + 1
        )


def write(app, exception):
    (Path(app.outdir) / "decided.json").write_text(json.dumps(decided))


def setup(app):
    app.connect("html-page-context", record)
    app.connect("build-finished", write)
"""


@pytest.mark.parametrize("policy", ["per_page", "always"])
def test_loads_mathjax_is_the_decision_of_sphinx_ext_mathjax(tmp_path, policy):
    """A page loads MathJax exactly where the adapter says it does, a page without math
    only under the policy ``always``; a script added after the settings' priority comes
    after the page's ``window.MathJax`` settings."""
    conf = "extensions = ['probe_math']\nmathjax3_config = {'tex': {}}\n"
    if policy == "always":
        conf += "def setup(app):\n    app.set_html_assets_policy('always')\n"
    run, out = _build(tmp_path / "src", "html", conf, MATH_PAGES, {"probe_math": PROBE_MATH})
    assert run.returncode == 0, run.stderr
    decided = json.loads((out / "decided.json").read_text())
    assert decided["math"] is True and decided["plain"] is (policy == "always")
    for page, loads in decided.items():
        html = (out / f"{page}.html").read_text()
        assert ("tex-mml-chtml.js" in html) is loads, page
    math = (out / "math.html").read_text()
    assert 0 <= math.index("window.MathJax") < math.index("/* probe */")


# ------------------------------------------------------------ warnings

#: Filters one warning out, twice over, then warns with ``probe_warning``.
PROBE_WARN = """
import logging

import sphinx_adapter
from sphinx.util import logging as sphinx_logging


class Drop(logging.Filter):
    made = 0

    def __init__(self):
        super().__init__()
        Drop.made += 1

    def filter(self, record):
        return "drop me" not in record.getMessage()


def warn(app):
    sphinx_adapter.filter_warnings(Drop)
    first = Drop.made
    sphinx_adapter.filter_warnings(Drop)
    print(f"filters made: {first} {Drop.made}")
    sphinx_logging.getLogger(__name__).warning(app.config.probe_warning)


def setup(app):
    app.add_config_value("probe_warning", "drop me", "")
    app.connect("builder-inited", warn)
"""


@pytest.mark.parametrize("warning", ["drop me", "keep me"])
def test_a_filtered_warning_is_neither_shown_nor_counted(tmp_path, warning):
    conf = f"extensions = ['probe_warn']\nprobe_warning = {warning!r}"
    pages = {"index": "Index\n=====\n"}
    run, _ = _build(tmp_path / "src", "html", conf, pages, {"probe_warn": PROBE_WARN})
    made = re.search(r"filters made: (\d+) (\d+)", run.stdout)
    assert made and int(made[1]) >= 1 and made[1] == made[2], "one filter per handler, once"
    if warning == "drop me":
        assert run.returncode == 0, run.stderr
        assert "drop me" not in run.stderr
    else:
        assert run.returncode != 0 and "keep me" in run.stderr


# ------------------------------------------------------------ the single page

#: A node with an ``html`` visitor only.
PROBE_NODE = """
from docutils import nodes
from docutils.parsers.rst import Directive


class probe_node(nodes.Element):
    pass


class Probe(Directive):
    def run(self):
        return [probe_node()]


def visit(self, node):
    self.body.append('<span class="probe-node">')


def depart(self, node):
    self.body.append("</span>")


def setup(app):
    app.add_node(probe_node, html=(visit, depart))
    app.add_directive("probe", Probe)
"""

#: Another node with a ``singlehtml`` visitor, as sphinx-exercise registers its own.
PROBE_SINGLEHTML = """
from docutils import nodes


class other_node(nodes.Element):
    pass


def nothing(self, node):
    pass


def setup(app):
    app.add_node(other_node, singlehtml=(nothing, nothing))
"""


def _single_page(tmp_path, *extensions):
    conf = f"extensions = {list(extensions)!r}\nhtml_theme = 'sphinx_book_theme'"
    modules = {"probe_node": PROBE_NODE, "probe_singlehtml": PROBE_SINGLEHTML}
    pages = {"index": "Probe\n=====\n\n.. probe::\n"}
    return _build(tmp_path / "-".join(extensions), "singlehtml", conf, pages, modules)


def test_the_single_page_keeps_the_html_visitors_and_drops_the_search_index(tmp_path):
    run, out = _single_page(tmp_path, "probe_node", "probe_singlehtml", "single_page")
    assert run.returncode == 0, run.stderr
    page = (out / "index.html").read_text()
    assert '<span class="probe-node">' in page
    assert sphinx_adapter.SEARCH_INDEX_TAG not in page


def test_without_single_page_a_singlehtml_visitor_hides_the_html_ones(tmp_path):
    run, _ = _single_page(tmp_path, "probe_node", "probe_singlehtml")
    assert run.returncode != 0 and "probe_node" in run.stderr


def test_the_theme_loads_the_search_index_by_the_adapters_tag(tmp_path):
    """Without ``single_page``, the theme's single page has exactly the tag it removes."""
    run, out = _single_page(tmp_path, "probe_node")
    assert run.returncode == 0, run.stderr
    page = (out / "index.html").read_text()
    assert page.count(sphinx_adapter.SEARCH_INDEX_TAG) == 1
    assert '<span class="probe-node">' in page


# ------------------------------------------------------------ the download menu

#: Offers ``early`` before the theme builds its header buttons and ``late`` after.
PROBE_DOWNLOAD = """
import sphinx_adapter


def early(app, pagename, templatename, context, doctree):
    if pagename == "early":
        sphinx_adapter.offer_notebook(context, "early.ipynb")


def late(app, pagename, templatename, context, doctree):
    if pagename == "late":
        sphinx_adapter.offer_notebook(context, "late.ipynb")


def setup(app):
    priority = sphinx_adapter.HEADER_BUTTONS_PRIORITY
    app.connect("html-page-context", early, priority=priority - 1)
    app.connect("html-page-context", late, priority=priority + 1)
"""


def test_a_notebook_offered_before_the_header_buttons_is_in_the_download_menu(tmp_path):
    conf = "extensions = ['probe_download']\nhtml_theme = 'sphinx_book_theme'"
    pages = {
        "index": "Index\n=====\n\n.. toctree::\n\n   early\n   late\n",
        "early": "Early\n=====\n",
        "late": "Late\n====\n",
    }
    run, out = _build(tmp_path / "src", "html", conf, pages, {"probe_download": PROBE_DOWNLOAD})
    assert run.returncode == 0, run.stderr
    assert 'href="_sources/early.ipynb"' in (out / "early.html").read_text()
    assert "late.ipynb" not in (out / "late.html").read_text(), "offered after the menu was built"


# ------------------------------------------------------------ the templates

#: The installed themes' template folders, the book theme's first (it extends the other).
THEMES = [
    Path(sphinx_book_theme.__file__).parent / "theme" / "sphinx_book_theme",
    Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme",
]


def _theme_parts(templates: Path) -> tuple[list[str], list[str]]:
    """The theme parts that ``templates`` rely on, and those the installed themes lack: each
    block a template overrides in the theme's template it extends (``"!name"``), and each
    theme template it includes."""
    used, missing = [], []
    for template in sorted(templates.glob("*.html")):
        text = template.read_text(encoding="utf-8")
        extended = re.search(r'\{%-?\s*extends\s+"!([^"]+)"', text)
        if extended:
            bases = "".join(
                (theme / extended[1]).read_text(encoding="utf-8")
                for theme in THEMES
                if (theme / extended[1]).is_file()
            )
            for block in re.findall(r"\{%-?\s*block\s+(\w+)", text):
                used.append(f"{template.name}: block {block}")
                if not re.search(rf"\{{%-?\s*block\s+{block}\b", bases):
                    missing.append(used[-1])
        for included in re.findall(r'\{%-?\s*include\s+"([^"]+)"', text):
            used.append(f"{template.name}: {included}")
            if not any((theme / included).is_file() for theme in THEMES):
                missing.append(used[-1])
    return used, missing


def test_the_themes_have_what_the_templates_override_and_include():
    used, missing = _theme_parts(ROOT / "_templates")
    assert "layout.html: block docs_body" in used
    assert "navbar-logo.html: components/navbar-logo.html" in used
    assert not missing, f"the installed themes lack: {missing}"


def test_the_template_check_sees_a_missing_block_and_include(tmp_path):
    (tmp_path / "layout.html").write_text(
        '{% extends "!layout.html" %}\n{% block docs_body %}{% endblock %}\n'
        "{% block no_such_block %}{% endblock %}\n"
    )
    (tmp_path / "logo.html").write_text('{% include "components/no-such-logo.html" %}\n')
    _, missing = _theme_parts(tmp_path)
    assert missing == [
        "layout.html: block no_such_block",
        "logo.html: components/no-such-logo.html",
    ]
