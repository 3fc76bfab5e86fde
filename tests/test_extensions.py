"""Unit tests of the book's build extensions (``_ext/``) and tools (``tools/``), without a
build: bad input is refused by name, and the functions the build, the tools and the
tests share are one implementation."""

from __future__ import annotations

import datetime
import importlib.util
import shutil
import subprocess
import sys
import types

import nbformat
import pytest
import yaml
from myst_nb.core.config import NbParserConfig
from myst_parser.config.main import MdParserConfig

from conftest import ROOT

sys.path[:0] = [str(ROOT / "_ext"), str(ROOT / "tools")]
import book_edition  # noqa: E402
import book_pages  # noqa: E402
import corrections  # noqa: E402
import format_code_cells  # noqa: E402
import myst_nb_adapter  # noqa: E402
import print_pdf  # noqa: E402
import prose_values  # noqa: E402
import teaching  # noqa: E402
import timings  # noqa: E402

# ------------------------------------------------------------ the build date


@pytest.mark.parametrize("epoch", ["1.7e9", "2026-12-07", "1796647213.5"])
def test_a_source_date_epoch_that_is_not_whole_seconds_is_named(epoch):
    with pytest.raises(ValueError, match=r"SOURCE_DATE_EPOCH must be whole seconds") as error:
        book_edition.build_date(ROOT, {"SOURCE_DATE_EPOCH": epoch})
    assert repr(epoch) in str(error.value)


def test_the_build_moment_is_source_date_epoch_to_the_second():
    moment = book_edition.build_moment(ROOT, {"SOURCE_DATE_EPOCH": "86399"})
    assert moment == datetime.datetime(1970, 1, 1, 23, 59, 59, tzinfo=datetime.UTC)
    assert book_edition.build_date(ROOT, {"SOURCE_DATE_EPOCH": "86399"}) == "1970-01-01"


# ------------------------------------------------------------ the PDF's dates

#: The end of a PDF as Chromium writes it: its document information, then the rest.
INFO = (
    b"1 0 obj\n<</Creator (Mozilla/5.0)\n/Producer (Skia/PDF m156)\n"
    b"/CreationDate (D:20261207123123+01'00')\n/ModDate (D:20261207123124+01'00')>>\n"
    b"endobj\nxref\n0 2\ntrailer\n<</Size 2 /Info 1 0 R>>\nstartxref\n9\n%%EOF\n"
)


def test_the_pdf_dates_become_the_build_moment_in_place(tmp_path):
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + INFO)
    before = pdf.read_bytes()
    moment = datetime.datetime(2001, 2, 3, 21, 30, 5, tzinfo=datetime.UTC)
    print_pdf.set_dates(pdf, moment)
    after = pdf.read_bytes()
    assert len(after) == len(before)  # every offset of the cross-reference table holds
    assert b"/CreationDate (D:20010203213005+00'00')" in after
    assert b"/ModDate (D:20010203213005+00'00')" in after
    assert after.replace(b"20010203213005+00'00'", b"") == before.replace(
        b"20261207123123+01'00'", b""
    ).replace(b"20261207123124+01'00'", b"")


def test_without_a_build_moment_the_pdf_has_no_dates(tmp_path):
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + INFO)
    size = pdf.stat().st_size
    print_pdf.set_dates(pdf, None)
    assert pdf.stat().st_size == size
    assert b"Date" not in pdf.read_bytes()


def test_a_pdf_without_chromium_dates_is_refused(tmp_path):
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + INFO.replace(b"/ModDate", b"/Other"))
    with pytest.raises(ValueError, match=r"book\.pdf: expected one /CreationDate and one /Mod"):
        print_pdf.set_dates(pdf, None)


# ------------------------------------------------------------ the prose values

MYST = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---

# A page

Its value is {eval}`EXPRESSION`.
"""


def _env():
    """What ``myst_nb_adapter.read_notebook`` reads of a Sphinx environment."""
    return types.SimpleNamespace(myst_config=MdParserConfig(), mystnb_config=NbParserConfig())


def test_a_bad_eval_is_refused_naming_its_page():
    """As the build reads the page (``parallel_execution`` before Sphinx, then MyST-NB)."""
    myst_nb_adapter.route_notebooks(prose_values.add_prose_cell, prose_values.prose_outputs)
    text = MYST.replace("EXPRESSION", "x + 1")
    with pytest.raises(ValueError, match=r"^chapters/bad\.md: \{eval\} takes a variable name"):
        myst_nb_adapter.read_notebook(_env(), "chapters/bad.md", text)
    good = myst_nb_adapter.read_notebook(_env(), "chapters/good.md", text.replace("x + 1", "x"))
    assert good.cells[-1].metadata[prose_values.KEY] is True


def _executed(name: str):
    notebook = myst_nb_adapter.read_myst_notebook(MYST.replace("EXPRESSION", name))
    prose_values.add_prose_cell(notebook)
    notebook.cells[-1].outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/plain": "'0.25'"}, metadata={prose_values.KEY: name}
        )
    ]
    return notebook


def test_a_missing_value_is_a_lookup_error_with_a_clean_message():
    """MyST-NB shows ``variable evaluation error: {error}``: a KeyError would quote it."""
    notebook = _executed("a")
    (output,) = prose_values.prose_outputs(notebook, "a")
    assert output["data"] == {"text/plain": "'0.25'"} and output["metadata"] == {}
    with pytest.raises(LookupError) as error:
        prose_values.prose_outputs(notebook, "b")
    assert str(error.value) == "no value for {eval}`b`: the prose cell did not display it"


def test_the_download_drops_the_source_map():
    """MyST-NB's ``source_map`` gives the line of each cell as read (the prose cell too);
    the download has other cells (the prose cell out, an install note in)."""
    notebook = _executed("a")
    assert len(notebook.metadata["source_map"]) == len(notebook.cells)
    download = prose_values.for_download(notebook)
    assert "source_map" not in download.metadata
    assert download.metadata["kernelspec"]["name"] == "python3"


# ------------------------------------------------------------ the back matter's checks


def _book(tmp_path, front_matter: dict, exercises: str = "") -> object:
    toc = {"root": "intro", "parts": [{"chapters": [{"file": "chapters/a"}]}]}
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(toc))
    (tmp_path / "chapters").mkdir()
    (tmp_path / "intro.md").write_text("# Intro\n")
    header = yaml.safe_dump(front_matter)
    (tmp_path / "chapters" / "a.md").write_text(f"---\n{header}---\n\n# A\n\n{exercises}")
    return tmp_path


EXERCISE = "```{exercise}\n:label: ex-a\n\nDo.\n```\n"
COMPLETE = {
    "objectives": ["Do a thing."],
    "prerequisites": {"chapters": ["intro"], "knowledge": ["Sums."]},
    "exercises": {"ex-a": "easy"},
}


@pytest.mark.parametrize(
    ("teaching_block", "named"),
    [
        ({**COMPLETE, "exercises": ["ex-a"]}, "'exercises' must map each exercise's label"),
        (
            {**COMPLETE, "prerequisites": {"chapters": "intro", "knowledge": []}},
            "'prerequisites: chapters' must be a list",
        ),
        (
            {**COMPLETE, "prerequisites": {"chapters": [], "knowledge": "Sums."}},
            "'prerequisites: knowledge' must be a list",
        ),
        ({**COMPLETE, "objectives": "Do a thing."}, "'objectives' must be a non-empty list"),
        ([COMPLETE], "'teaching' must be a mapping"),
    ],
)
def test_a_field_of_the_wrong_type_is_one_problem_named(tmp_path, teaching_block, named):
    root = _book(tmp_path, {"teaching": teaching_block}, EXERCISE)
    found = teaching.problems(root, "chapters/a", ["intro", "chapters/a"])
    assert len(found) == 1, found
    assert named in found[0] and found[0].startswith("chapters/a.md, front matter: "), found


def test_a_complete_block_has_no_problem(tmp_path):
    root = _book(tmp_path, {"teaching": COMPLETE}, EXERCISE)
    assert teaching.problems(root, "chapters/a", ["intro", "chapters/a"]) == []


def test_a_correction_field_of_the_wrong_type_is_named():
    good = corrections.load(ROOT)[0]
    found = corrections.problems([{**good, "chapter": [good["chapter"]]}], ROOT)
    assert found == ["entry 1: 'chapter' must be text, not a list"]
    found = corrections.problems([{**good, "solution": "yes", "says": {"a": 1}}], ROOT)
    assert sorted(found) == [
        "entry 1: 'says' must be text, not a dict",
        "entry 1: 'solution' must be true or false, not a str",
    ]


# ------------------------------------------------------------ one reading of the pages


def test_the_tools_read_the_pages_as_the_build_does():
    assert timings.toc_pages is book_pages.toc_pages
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = book_pages.toc_pages(ROOT)
    assert pages[0] == toc["root"] and len(pages) == 1 + sum(
        len(part["chapters"]) for part in toc["parts"]
    )


def test_a_title_is_below_the_front_matter(tmp_path):
    """A ``# `` line in the YAML header is a comment, not the page's title."""
    (tmp_path / "page.md").write_text("---\n# a YAML comment\nkernelspec: {}\n---\n\n# Title\n")
    assert book_pages.title(tmp_path, "page") == "Title"


def test_the_timings_budget_points_to_a_readme_section():
    section = "Writing a chapter"
    assert f"## {section}\n" in (ROOT / "README.md").read_text()
    assert f'(README, "{section}")' in (ROOT / "tools" / "timings.py").read_text()


def test_the_adapter_says_whether_a_cache_exists(tmp_path):
    assert not myst_nb_adapter.cache_exists(tmp_path)
    from jupyter_cache import get_cache

    get_cache(str(tmp_path / "cache")).list_cache_records()  # created on first use
    assert myst_nb_adapter.cache_exists(tmp_path / "cache")


# ------------------------------------------------------------ code cells and editions


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("# T\n\n```{code-cell} ipython3\nx = 1\n", 3, "the code cell is not closed"),
        (
            "# T\n\n```{code-cell} ipython3\n---\ntags: [hide-input]\nx = 1\n```\n",
            3,
            "the code cell's options is not closed",
        ),
        ("```{code-cell} ipython3\n:tags: [remove-cell]\n", 1, "the code cell is not closed"),
    ],
)
def test_an_unclosed_code_cell_is_named_with_its_line(text, line, what):
    with pytest.raises(ValueError, match=rf"^chapters/x\.md:{line}: {what}"):
        format_code_cells.formatted_text(text, name="chapters/x.md")


def test_the_student_edition_takes_its_title_from_the_config(tmp_path):
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "build_edition.py", tmp_path / "tools")
    (tmp_path / "_config.yml").write_text('title: "Another book"\n')
    spec = importlib.util.spec_from_file_location(
        "copied_build_edition", tmp_path / "tools" / "build_edition.py"
    )
    build_edition = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_edition)
    _, settings = build_edition.EDITIONS["student"]
    assert settings["html_title"] == "Another book (student edition)"


def test_the_build_names_a_malformed_block_instead_of_failing_on_it(tmp_path):
    """A small Sphinx build of an instructors' page over a chapter whose ``exercises`` is a
    list: one warning naming the chapter and the field, not a traceback."""
    _book(tmp_path, {"teaching": {**COMPLETE, "exercises": ["ex-a"]}}, EXERCISE)
    (tmp_path / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_parser', 'sphinx_exercise', 'teaching']\n"
        "exclude_patterns = ['out']\n"
    )
    (tmp_path / "index.md").write_text(
        "# Teaching\n\n```{teaching-chapters}\n```\n\n```{toctree}\nintro\nchapters/a\n```\n"
    )
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", tmp_path, tmp_path / "out"],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    assert "Traceback" not in build.stderr and "Exception" not in build.stderr
    warnings = [line for line in build.stderr.splitlines() if "WARNING" in line]
    assert len(warnings) == 1, build.stderr
    assert "chapters/a.md, front matter: 'exercises' must map" in warnings[0], warnings
    assert "index.md" in warnings[0]
