"""Ready to teach from and to cite: the sources that say so, checked.

- every chapter's front matter holds what the instructors' page shows
  (objectives, prerequisites, a difficulty for every exercise);
- every entry of ``corrections.yml`` names a page of the book and has every field;
- ``CITATION.cff`` is valid Citation File Format, and the front page's BibTeX
  entry says what it says (title, authors, version, year, URL);
- one version: ``pyproject.toml``'s, in ``CITATION.cff`` and ``CHANGELOG.md``;
- the build date is that of ``SOURCE_DATE_EPOCH`` or the last commit, never the clock;
- the publish workflow is valid for GitHub Actions and does what the README says;
- the licences: MIT for the code, CC BY 4.0 for the text, every vendored folder listed.

The checks that read the built book are in ``tests/test_edition.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from book_sources import chapters, source, toc_files

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))

import book_edition  # noqa: E402
import book_pages  # noqa: E402
import cite_this_book  # noqa: E402
import corrections  # noqa: E402
import teaching  # noqa: E402

CHAPTERS = chapters()
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
CFF = yaml.safe_load((ROOT / "CITATION.cff").read_text())
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def check_jsonschema(schema: str, *files: Path) -> tuple[int, str]:
    """Run ``check-jsonschema --builtin-schema schema files`` in this process.

    The command line's own code, through click's test runner: one import of its
    schemas and validators for the module, instead of one per file.
    """
    from check_jsonschema.cli import main
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["--builtin-schema", schema, *map(str, files)])
    return result.exit_code, result.output


# ------------------------------------------------------------ the instructors' page


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_says_what_it_teaches(name):
    found = teaching.problems(ROOT, name, toc_files())
    assert not found, "\n".join(found)


def test_every_exercise_of_the_book_has_a_difficulty():
    """Counted from the sources here, not through the page's own reader."""
    for name in CHAPTERS:
        text = source(name).read_text()
        labels = re.findall(r"^(?:`{3,}|:{3,})\{exercise\}.*\n:label:\s*(\S+)", text, re.M)
        block = yaml.safe_load(text.split("---\n", 2)[1])["teaching"]["exercises"]
        assert labels, f"{name} has no exercise"
        assert set(block) == set(labels), f"{name}: exercises {labels}, difficulties {block}"
        assert set(block.values()) <= set(teaching.DIFFICULTIES), f"{name}: {block}"


def _book(tmp_path: Path, header: str, exercises: str) -> Path:
    """A two-chapter book whose second chapter has ``header`` and ``exercises``."""
    (tmp_path / "chapters").mkdir()
    toc = {
        "root": "intro",
        "parts": [{"chapters": [{"file": "chapters/a"}, {"file": "chapters/b"}]}],
    }
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(toc))
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "timings.py").write_text((ROOT / "tools" / "timings.py").read_text())
    (tmp_path / "chapters" / "a.md").write_text("# A\n")
    (tmp_path / "chapters" / "b.md").write_text(f"---\n{header}---\n\n# B\n\n{exercises}")
    return tmp_path


EXERCISES = (
    "```{exercise}\n:label: ex-one\n\nDo.\n```\n\n::::{exercise}\n:label: ex-two\nDo.\n::::\n"
)
COMPLETE = """teaching:
  objectives: [Do a thing.]
  prerequisites: {chapters: [chapters/a], knowledge: []}
  exercises: {ex-one: easy, ex-two: hard}
"""


def test_the_check_passes_a_complete_chapter(tmp_path):
    assert (
        teaching.problems(
            _book(tmp_path, COMPLETE, EXERCISES),
            "chapters/b",
            ["intro", "chapters/a", "chapters/b"],
        )
        == []
    )


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("kernelspec: {name: python3}\n", "no 'teaching' block"),
        (COMPLETE.replace("ex-two: hard", "ex-two: tricky"), "'ex-two' needs a difficulty"),
        (COMPLETE.replace(", ex-two: hard", ""), "'ex-two' needs a difficulty"),
        (COMPLETE.replace("ex-two: hard", "ex-two: hard, ex-three: easy"), "'ex-three'"),
        (COMPLETE.replace("objectives: [Do a thing.]", "objectives: []"), "'objectives'"),
        (COMPLETE.replace("chapters: [chapters/a]", "chapters: [chapters/c]"), "'chapters/c'"),
        (COMPLETE.replace("knowledge: []", "level: 1"), "'prerequisites'"),
    ],
)
def test_the_check_names_what_a_chapter_lacks(tmp_path, header, named):
    found = teaching.problems(
        _book(tmp_path, header, EXERCISES), "chapters/b", ["intro", "chapters/a", "chapters/b"]
    )
    assert any(named in problem and "chapters/b.md" in problem for problem in found), found


PROSE = """# Seven words of prose here, then more

```{code-cell} ipython3
words_in_code = "are not prose"
```

$$
\\int x \\, dx
$$

A value {eval}`name_of_value` and $x + y$ math; see [the errata](errata.md#typos).

```{exercise}
:label: ex-one

Do `this.thing()`.
```
"""


def test_prose_words_count_the_prose_only(tmp_path):
    """The heading's 7 words, then "A value", the computed value (one), "and", "math",
    "see", "the errata" (8), then "Do" and the inline code (2): 17. Code, math, options,
    fences and the link's target are left out."""
    root = _book(tmp_path, COMPLETE, PROSE)
    assert teaching.prose_words(root, "chapters/b") == 1 + 17  # and the title "# B"
    page = teaching.markdown(root, ["chapters/a", "chapters/b"], {})
    assert "| 18 words |" in page


def test_the_page_lists_exercises_by_label_without_numbers_of_its_own(tmp_path):
    """The chapters number exercises across the book; a count from 1 per chapter would
    contradict them, so each exercise is named by its label and linked to it."""
    root = _book(tmp_path, COMPLETE, EXERCISES)
    page = teaching.markdown(root, ["chapters/a", "chapters/b"], {"chapters/b": 2.5})
    assert "- [`ex-one`](chapters/b.md#ex-one): easy" in page
    assert "- [`ex-two`](chapters/b.md#ex-two): hard" in page
    assert "Exercise 1" not in page and "Exercise 2" not in page
    # the time is the cache's record of the chapter's last execution, not this build's
    assert "executed in 2.5 s from a fresh kernel when it last ran" in page


# ------------------------------------------------------------ the book's corrections


def test_every_correction_names_a_chapter_and_has_every_field():
    entries = corrections.load(ROOT)
    assert entries, "corrections.yml lists no correction"
    assert corrections.problems(entries, ROOT) == []
    for number, entry in enumerate(entries, start=1):
        assert entry["chapter"] in toc_files(), f"entry {number}: {entry['chapter']}"
        for field in corrections.FIELDS:
            assert str(entry.get(field) or "").strip(), f"entry {number} lacks {field}"
        anchor = entry.get("anchor")
        if anchor:
            assert re.search(
                rf":label:\s*{re.escape(anchor)}\b|^\({re.escape(anchor)}\)=",
                source(entry["chapter"]).read_text(),
                re.M,
            ), f"entry {number}: no label {anchor}"


def test_the_corrections_check_names_a_bad_entry():
    good = corrections.load(ROOT)[0]
    bad = [{**good, "chapter": "chapters/nowhere"}, {k: v for k, v in good.items() if k != "said"}]
    found = corrections.problems(bad, ROOT)
    assert any("entry 1" in p and "chapters/nowhere" in p for p in found), found
    assert any("entry 2" in p and "said" in p for p in found), found
    # entries go in the order of the book's chapters
    later = {**good, "chapter": "chapters/binary_vae"}
    found = corrections.problems([later, good], ROOT)
    assert any("entry 2" in p and "chapters/binary_vae, a later chapter" in p for p in found), found


# ------------------------------------------------------------ citation and version


def test_citation_cff_is_valid():
    status, output = check_jsonschema("vendor.citation-file-format", ROOT / "CITATION.cff")
    assert status == 0, output


def test_the_schema_check_rejects_an_invalid_citation(tmp_path):
    broken = tmp_path / "CITATION.cff"
    broken.write_text(
        yaml.safe_dump({k: v for k, v in CFF.items() if k != "authors"}, sort_keys=False)
    )
    status, output = check_jsonschema("vendor.citation-file-format", broken)
    assert status == 1 and "authors" in output, output


def _front_page_bibtex() -> str:
    blocks = re.findall(r"^```bibtex\n(.*?)^```", source("intro").read_text(), re.S | re.M)
    assert len(blocks) == 1, "the front page should show one ```bibtex block"
    return blocks[0].strip()


def _bibtex_fields(entry: str) -> dict[str, str]:
    fields = dict(re.findall(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", entry, re.M))
    return {name: value.strip("{}") for name, value in fields.items()}


def test_the_front_page_cites_the_book_as_citation_cff_does():
    fields = _bibtex_fields(_front_page_bibtex())
    assert fields["title"] == CFF["title"]
    names = [a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in CFF["authors"]]
    assert [n.strip("{}") for n in fields["author"].split(" and ")] == names
    assert fields["version"] == str(CFF["version"])
    assert fields["year"] == str(CFF["date-released"])[:4]
    url = CFF.get("url") or CFF.get("repository-code")
    assert fields.get("url") == url
    # and it is the entry the build generates (which the build also checks)
    assert _front_page_bibtex() == cite_this_book.bibtex(CFF)


def test_one_version_everywhere():
    assert str(CFF["version"]) == VERSION, "CITATION.cff's version is not pyproject.toml's"
    assert book_edition.book_version(ROOT) == VERSION
    assert re.search(rf"^## {re.escape(VERSION)}\b", (ROOT / "CHANGELOG.md").read_text(), re.M), (
        f"CHANGELOG.md has no section for {VERSION}"
    )


def test_person_authors_are_written_family_name_first():
    author = {"family-names": "Gumbel", "given-names": "Emil Julius", "name-particle": "von"}
    assert cite_this_book.bibtex_name(author) == "von Gumbel, Emil Julius"
    assert cite_this_book.bibtex_name({"name": "A B, C"}) == "{A B, C}"


def test_the_build_date_is_the_last_commits_or_source_date_epoch(tmp_path):
    assert book_edition.build_date(ROOT, {"SOURCE_DATE_EPOCH": "86399"}) == "1970-01-01"
    assert book_edition.build_date(ROOT, {"SOURCE_DATE_EPOCH": "86400"}) == "1970-01-02"
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "f").write_text("x")
    subprocess.run([*git, "add", "f"], check=True)
    when = {
        "GIT_COMMITTER_DATE": "2001-02-03T23:30:00+02:00",
        "GIT_AUTHOR_DATE": "2001-02-03T23:30:00+02:00",
    }
    subprocess.run([*git, "commit", "-qm", "x"], check=True, env={"PATH": "/usr/bin:/bin", **when})
    assert book_edition.build_date(tmp_path, {}) == "2001-02-03"  # 21:30 UTC
    assert book_edition.build_date(tmp_path / "f", {}) == ""  # not a git work tree


# ------------------------------------------------------------ publishing


def test_there_is_a_publish_workflow():
    assert WORKFLOWS, "no workflow in .github/workflows"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_are_valid_for_github_actions(workflow):
    status, output = check_jsonschema("vendor.github-workflows", workflow)
    assert status == 0, output


def test_the_publish_workflow_tests_then_deploys_the_site_on_a_tag():
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text())
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["tags"], "not published on a tag"
    steps = [step for job in flow["jobs"].values() for step in job.get("steps", [])]
    runs = " ".join(step.get("run", "") for step in steps)
    assert ".ci/run" in runs or "make test" in runs, "the workflow does not run make test"
    uses = {step.get("uses", "").split("@")[0]: step for step in steps}
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    assert "actions/deploy-pages" in uses
    # tests first: the site is uploaded after the test step, and deployed only after that job
    build = flow["jobs"]["build"]["steps"]
    tested = next(i for i, step in enumerate(build) if ".ci/run" in step.get("run", ""))
    uploaded = next(
        i for i, step in enumerate(build) if "upload-pages-artifact" in step.get("uses", "")
    )
    assert tested < uploaded, "the site is uploaded before the tests run"
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and "steps" in deploy


# ------------------------------------------------------------ licences


def test_the_licences_say_what_they_cover():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    text = (ROOT / "LICENSE-text").read_text()
    assert "Attribution 4.0 International Public License" in text and "Section 8" in text
    assert (
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]["text"] == "MIT"
    )
    assert {"MIT", "CC-BY-4.0"} <= set(CFF["license"])


def test_every_vendored_folder_is_listed_with_its_licence():
    listed = (ROOT / "THIRD-PARTY.md").read_text()
    for folder in sorted(p for p in (ROOT / "vendor").iterdir() if p.is_dir()):
        assert (folder / "LICENSE").is_file(), f"{folder.name} has no LICENSE"
        assert f"`vendor/{folder.name}/`" in listed, f"THIRD-PARTY.md does not list {folder.name}"


def test_the_chapters_reader_sees_the_tests_chapters():
    assert book_pages.chapters(ROOT) == CHAPTERS


def test_the_student_edition_shows_no_corrected_solution():
    entries = corrections.load(ROOT)
    in_solutions = [e for e in entries if e.get("solution")]
    assert in_solutions, "no entry corrects a solution: nothing to check"
    full = corrections.markdown(in_solutions, ROOT)
    student = corrections.markdown(in_solutions, ROOT, hide_solutions=True)
    assert student.count(corrections.WITHHELD) == len(in_solutions)
    for entry in in_solutions:
        assert entry["said"] in full
        assert entry["said"] not in student and entry["says"] not in student
        assert entry["where"] in student
