"""The course site in two editions from the same run records (issue 19): the student edition has no
solution anywhere (pages, notebooks, search index, outputs, consistency report, figures,
downloads) and an answer cell and a check in place of each; the instructor edition is the site as
it was, with the rubrics in dropdowns of their own, the notebooks of every edition and the figures
for slides as downloads. A student edition is never replaced by the instructor's; both editions
check the same. What an instructor does with them (docs/teaching.md): hand out a student notebook
from the site, grade it with ``d2l-optim check``, or make an otter-grader assignment of the otter
download.

The records: a made-up section (framework cells, a figure, a solution that prints, draws and
explains, a rubric) and the real gradient-descent section, on NumPy and PyTorch. Runs in tox's
``course`` env.
"""
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from d2l_optim import __main__ as cli
from d2l_optim import _config, exercises
from d2l_optim.build import editions, figure_export, plan
from helpers import ROOT

pipeline = pytest.importorskip("d2l_optim.build.pipeline",
                               reason='the course build needs: pip install "d2l-optim[course]"')
jupytext = pytest.importorskip("jupytext", reason='the course build needs: pip install "d2l-optim[course]"')
nbformat = pytest.importorskip("nbformat", reason='the course build needs: pip install "d2l-optim[course]"')

BACKENDS = ["numpy", "torch"]
MADE = '''# %% [markdown]
# # A made-up lesson
# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("made")
section.compare_figures("hidden-answer-curve", atol=1e-4)
# %%
import d2l_optim as d2l

print("the lesson prints this line")
# %% tags=["framework-numpy"]
print("a cell of NumPy's own")
# %% tags=["framework-torch"]
print("a cell of PyTorch's own")
# %% figures=["lesson-curve"]
d2l.plot([0.0, 1.0], [0.0, 1.0])
# %% [markdown]
# **Exercise 1 (a falling curve).** Draw a curve that falls from one to zero, and say where it ends.
# %% tags=["solution"] figures=["hidden-answer-curve"]
print("the worked answer prints forty-two exactly")
d2l.plot([0.0, 1.0], [1.0, 0.0])
# %% [markdown] tags=["solution"]
# The explanation only instructors read: the curve falls to zero at its right end (quixotically).
# %% [markdown] tags=["solution", "rubric"]
# **Rubric (2 points).** One point for a curve that falls; one point for naming where it ends.
'''
SECTIONS = ("made", "gd")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The records of both sections on NumPy and PyTorch, and the site of each edition made from them."""
    for name in BACKENDS:
        if not _config.is_installed(name):
            pytest.skip(f"the editions are built on {BACKENDS}: {_config.install_hint(name)}")
    root = tmp_path_factory.mktemp("editions")
    sources = root / "sources"
    sources.mkdir()
    (sources / "made.py").write_text(MADE)
    shutil.copy(Path(ROOT) / "examples" / "gd.py", sources / "gd.py")
    assert pipeline.build(records=str(root / "records"), backends=BACKENDS, source_dir=str(sources),
                          progress=False, log=lambda *a: None) == []
    assert cli.main(["assemble", str(root / "records"), "--out", str(root / "site")]) == 0
    assert cli.main(["assemble", str(root / "records"), "--out", str(root / "site-student"),
                     "--edition", "student"]) == 0
    return root


def _normalized(text):
    return " ".join(text.split())


def _page_text(path):
    """A page's text: tags removed, entities decoded, spaces normalized."""
    return _normalized(html.unescape(re.sub(r"<[^>]+>", "", Path(path).read_text())))


def _fragments(text):
    """The runs of plain text (20 characters or more, spaces normalized) of each line of a cell's
    source, between maths, markup and quotes, which a page renders differently."""
    parts = [part for line in text.splitlines() for part in re.split(r"\$[^$]*\$|[*`'’\\]", line)]
    return {_normalized(part) for part in parts if len(_normalized(part)) >= 20}


def _solutions(section, sources):
    """What no page, notebook or file of the student edition may show of ``section``: the text runs
    of its solutions (code, words, rubrics) that the rest of it and the answer cells do not have,
    and the names of the figures its solutions draw."""
    notebook = jupytext.read(str(sources / f"{section}.py"))
    solutions = [cell for cell in notebook.cells if editions.is_solution(cell)]
    others = _normalized(" ".join(cell.source for cell in notebook.cells if not editions.is_solution(cell))
                         + " ".join(exercises.placeholders(check)
                                    for check in exercises.checks_of(section).values()))
    text = {fragment for cell in solutions for fragment in _fragments(cell.source) if fragment not in others}
    figures = {name for cell in solutions for name in cell.metadata.get("figures") or ()}
    return text, figures


def _readable(folder):
    """Every file under ``folder`` (and every member of its zips) as the forms its text may take:
    as it is, as a page's text (tags removed, entities decoded) and as JSON strings decoded."""
    found = {}
    for path in Path(folder).rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                members = {f"{path}!{name}": archive.read(name) for name in archive.namelist()}
        else:
            members = {str(path): path.read_bytes()}
        for name, data in members.items():
            text = data.decode("utf-8", "replace")
            page = html.unescape(re.sub(r"<[^>]+>", "", text))
            decoded = text.replace("\\n", " ").replace('\\"', '"').replace("\\\\", "\\")
            found[name] = (text, _normalized(page), _normalized(decoded))
    return found


def _where(files, needle):
    return [name for name, forms in files.items() if any(needle in form for form in forms)]


def test_no_solution_appears_anywhere_in_the_student_site(made):
    student, instructor = _readable(made / "site-student"), _readable(made / "site")
    assert any(name.endswith("searchindex.js") for name in student)
    assert not [name for name in student if "/_sources/" in name]  # Sphinx keeps no page sources
    for section in SECTIONS:
        text, figures = _solutions(section, made / "sources")
        assert len(text) > (3 if section == "made" else 60) and figures
        for needle in sorted(text | figures):
            assert not _where(student, needle), (section, needle, _where(student, needle)[:3])
            assert _where(instructor, needle), (section, needle)  # the search can find what it looks for
    assert not _where(student, "Rubric (") and _where(instructor, "Rubric (2 points)")
    for needle in ("worked answer prints forty-two", "hidden-answer-curve"):  # the made-up solution's own
        assert _where(instructor, needle) and not _where(student, needle)
    search = [(folder / "searchindex.js").read_text() for folder in (made / "site", made / "site-student")]
    assert '"quixot' in search[0] and "quixot" not in search[1]  # a word of a solution only, stemmed


def test_the_student_pages_put_an_answer_and_a_check_in_place_of_each_solution(made):
    page = _page_text(made / "site-student" / "gd.html")
    for check in exercises.checks_of("gd").values():
        assert f'd2l.check("{check.id}")' in page
        for answer in check.answers:
            assert f"{answer.name} = ..." in page, answer
    assert page.count("your answer. Replace each") == 4 and page.count("Write it here.") == 2  # two proofs
    assert "<details" not in (made / "site-student" / "gd.html").read_text()  # nothing folded: no solution
    made_page = _page_text(made / "site-student" / "made.html")
    assert "Exercise 1, your answer. Write it here." in made_page
    assert "the lesson prints this line" in made_page and "a cell of PyTorch's own" in made_page
    assert "This is the student edition" in _normalized((made / "site-student" / "index.html").read_text())


def test_the_student_outputs_and_consistency_report_leave_the_solutions_out(made):
    for edition, folder in (("instructor", made / "site"), ("student", made / "site-student")):
        manifest = json.loads((folder / "outputs.json").read_text())
        report = json.loads((folder / "consistency.json").read_text())
        runs = manifest["sections"]["made"]
        solution = edition == "instructor"
        assert manifest["build"]["edition"] == edition
        for backend in BACKENDS:
            assert ("the worked answer prints forty-two exactly" in runs[backend]["lines"]) == solution
            assert ("figures/made/hidden-answer-curve.svg" in runs[backend]["figures"]) == solution
            assert "figures/made/lesson-curve.svg" in runs[backend]["figures"]
            printed = (folder / "outputs" / "made" / f"{backend}.txt").read_text()
            assert ("forty-two" in printed) == solution
        assert ("hidden-answer-curve" in report["made"]["figures"]) == solution
        assert ("hidden-answer-curve" in report["made"]["rules"]["figures"]) == solution
        assert (folder / "figures" / "made" / "hidden-answer-curve.svg").exists() == solution
        assert len(report["gd"]["figures"]) == (10 if solution else 8)
        assert all(line["agree"] for line in report["gd"]["lines"])
    coverage = [re.findall(r"<tr.*?</tr>", (folder / "index.html").read_text().split('id="coverage"')[1]
                           .split("</table>")[0], re.S) for folder in (made / "site", made / "site-student")]
    assert coverage[0] == coverage[1] and len(coverage[0]) == 4  # header, 2 sections, explorer: the same


def _zip_names(path):
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def _downloads(folder):
    return sorted(p.name for p in (folder / "downloads").iterdir())


def _linked(folder):
    return set(re.findall(r'href="(downloads/[^"]+)" download', (folder / "index.html").read_text()))


def test_each_site_links_its_downloads_from_its_first_page(made):
    student, instructor = made / "site-student", made / "site"
    assert _downloads(student) == [f"d2l-optim-student-{b}.zip" for b in BACKENDS]
    assert _downloads(instructor) == sorted(["d2l-optim-figures.zip"] + [
        f"d2l-optim-{edition}-{b}.zip" for edition in ("instructor", "student", "otter") for b in BACKENDS])
    for folder in (student, instructor):
        assert _linked(folder) == {f"downloads/{name}" for name in _downloads(folder)}
    for backend in BACKENDS:
        for edition, folder in (("student", student), ("instructor", instructor)):
            path = folder / "downloads" / f"d2l-optim-{edition}-{backend}.zip"
            assert _zip_names(path) == ["gd.ipynb", "made.ipynb"]
            with zipfile.ZipFile(path) as archive:
                for section in SECTIONS:  # the site's own notebooks, in the zip of its edition
                    data = archive.read(f"{section}.ipynb")
                    assert data == (folder / "notebooks" / backend / f"{section}.ipynb").read_bytes()
                    notebook = nbformat.reads(data.decode(), as_version=4)
                    assert notebook.metadata["d2l_optim"] == {"section": section, "edition": edition,
                                                              "backend": backend}
                    assert any(editions.is_solution(c) for c in notebook.cells) == (edition == "instructor")
        assert (student / "downloads" / f"d2l-optim-student-{backend}.zip").read_bytes() == \
            (instructor / "downloads" / f"d2l-optim-student-{backend}.zip").read_bytes()
        with zipfile.ZipFile(instructor / "downloads" / f"d2l-optim-otter-{backend}.zip") as archive:
            otter = nbformat.reads(archive.read("gd.ipynb").decode(), as_version=4)
        assert otter.cells[0].source.startswith("# ASSIGNMENT CONFIG")


def test_downloads_are_the_same_bytes_from_the_same_records(made, tmp_path):
    assert cli.main(["assemble", str(made / "records"), "--out", str(tmp_path / "again")]) == 0
    for name in _downloads(made / "site"):
        assert (tmp_path / "again" / "downloads" / name).read_bytes() == \
            (made / "site" / "downloads" / name).read_bytes(), name


def _png_dpi(data):
    at = data.index(b"pHYs")
    return round(struct.unpack(">I", data[at + 4:at + 8])[0] * 0.0254)


def test_the_figures_for_slides_come_from_the_runs_and_need_no_second_run(made):
    records = json.loads((made / "site" / "outputs.json").read_text())["sections"]
    with zipfile.ZipFile(made / "site" / "downloads" / "d2l-optim-figures.zip") as archive:
        names = archive.namelist()
        for section in SECTIONS:
            figures = [Path(path).stem for path in records[section][figure_export.BACKEND]["figures"]]
            assert figures and {f"{section}/{name}{suffix}" for name in figures
                                for suffix in (".svg", ".png", ".pdf")} <= set(names)
        assert len(names) == 3 * (10 + 2)  # gd's ten (two of them a solution's) and the made-up two
        assert archive.read("gd/gd-2d.pdf").startswith(b"%PDF") and b"<svg" in archive.read("gd/gd-2d.svg")
        assert _png_dpi(archive.read("gd/gd-2d.png")) == 300
        assert f"<!-- {figure_export.BOOK} -->" in archive.read("gd/gd-2d.svg").decode()  # the attribution
    run = made / "records" / "gd" / figure_export.BACKEND / figure_export.FOLDER
    assert (run / "gd-2d.pdf").is_file()  # exported by the run on NumPy, in its record
    assert not (made / "records" / "gd" / "torch" / figure_export.FOLDER).exists()


def test_the_instructor_site_folds_solutions_and_rubrics_and_its_notebooks_have_them(made):
    page = (made / "site" / "made.html").read_text()
    dropdowns = re.findall(r"<details.*?</details>", page, re.S)
    titles = [_normalized(html.unescape(re.sub(r"<[^>]+>", " ", re.search(r"<summary.*?</summary>", d, re.S)
                                               .group()))) for d in dropdowns]
    assert titles == ["Solution", "Rubric (2 points)"]
    assert "worked answer prints forty-two" in dropdowns[0] and "hidden-answer-curve.svg" in dropdowns[0]
    assert "One point for a curve that falls" in dropdowns[1] and "Rubric (2 points).**" not in page
    notebook = nbformat.read(made / "site" / "notebooks" / "torch" / "made.ipynb", as_version=4)
    assert [c.source.splitlines()[0] for c in notebook.cells if editions.is_solution(c)] == [
        'print("the worked answer prints forty-two exactly")',
        "The explanation only instructors read: the curve falls to zero at its right end (quixotically).",
        "**Rubric (2 points).** One point for a curve that falls; one point for naming where it ends."]
    assert "This is the instructor edition" in _normalized((made / "site" / "index.html").read_text())


def test_a_student_site_is_never_given_the_instructor_edition(made, capsys):
    before = (made / "site-student" / "index.html").read_bytes()
    with pytest.raises(SystemExit) as exit_:
        cli.main(["assemble", str(made / "records"), "--out", str(made / "site-student")])
    message = capsys.readouterr().err
    assert exit_.value.code == 2 and "holds the student edition of the site" in message
    assert "--edition student" in message and (made / "site-student" / "index.html").read_bytes() == before
    assert plan.site_edition(str(made / "site-student")) == "student"
    assert plan.site_edition(str(made / "site")) == "instructor"


TINY = '''# %% [markdown]
# # Tiny
# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("tiny")
# %%
import d2l_optim as d2l

print("tiny lesson")
# %% [markdown]
# **Exercise 1 (which framework).** Print the framework's number.
# %% tags=["solution"]
print(f"number {['numpy', 'torch'].index(d2l.get_backend())}")
'''


def test_both_editions_check_the_solutions_alike(tmp_path):
    """A difference between backends in a solution fails the student edition too, though it shows
    no solution: both editions check every run in full."""
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "tiny.py").write_text(TINY)
    records = tmp_path / "records"
    assert pipeline.build(records=str(records), backends=BACKENDS, source_dir=str(sources), progress=False,
                          log=lambda *a: None) == []
    assemble = pytest.importorskip("d2l_optim.build.assemble")
    for edition in ("instructor", "student"):
        with pytest.raises(pipeline.BuildError, match=r"tiny, printed line 2 \(exact\): NumPy 'number 0'; "
                                                      r"PyTorch 'number 1'"):
            assemble.assemble([str(records)], out=str(tmp_path / edition), edition=edition,
                              log=lambda *a: None)
        assert not (tmp_path / edition).exists()


def test_the_build_makes_the_student_edition_into_its_own_folder(tmp_path, monkeypatch, capsys):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "tiny.py").write_text(TINY)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", "--edition", "student", "--sources", str(sources), "--backends", "numpy",
                     "--no-progress"]) == 0
    assert "published" in capsys.readouterr().out and plan.site_edition(str(tmp_path / "site-student")) == \
        "student"
    assert not (tmp_path / "site").exists()
    page = (tmp_path / "site-student" / "tiny.html").read_text()
    assert "tiny lesson" in page and "number 0" not in page and "Write it here." in page
    with pytest.raises(SystemExit) as exit_:
        cli.main(["build", "--records", str(tmp_path / "records"), "--edition", "student", "--sources",
                  str(sources), "--backends", "numpy"])
    assert exit_.value.code == 2 and "--records makes the run records only" in capsys.readouterr().err


def test_an_instructor_grades_a_student_notebook_from_the_site(made, tmp_path):
    """docs/teaching.md, step by step: the student notebook from the site's download, answered in
    part, checked with d2l-optim check; the instructor notebook passes every check."""
    with zipfile.ZipFile(made / "site-student" / "downloads" / "d2l-optim-student-numpy.zip") as archive:
        archive.extract("gd.ipynb", tmp_path / "handed-out")
    submitted = tmp_path / "alice.ipynb"
    notebook = nbformat.read(tmp_path / "handed-out" / "gd.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("d2l_optim", {}).get("exercise") == "gd-1" and \
                cell.metadata["d2l_optim"]["role"] == "answer":
            cell.source = "end_by_rate = {eta: d2l.gd(eta, d2l.grad(square))[-1] for eta in (0.5, 0.99, 1.0)}"
    nbformat.write(notebook, submitted)
    report = tmp_path / "alice.json"
    assert cli.main(["check", str(submitted), "--json", str(report)]) == 1
    graded = json.loads(report.read_text())
    assert graded["section"] == "gd" and graded["backend"] == "numpy" and graded["points"] == 1
    assert [entry["status"] for entry in graded["exercises"]] == ["passed"] + ["not attempted"] * 3 + \
        ["manual"] * 2
    instructor = made / "site" / "notebooks" / "numpy" / "gd.ipynb"
    assert cli.main(["check", str(instructor), "--json", str(tmp_path / "key.json")]) == 0


OTTER = shutil.which("otter", path=os.path.dirname(sys.executable)) or shutil.which("otter")


def test_otter_assign_accepts_the_otter_download_and_its_student_notebook_has_no_solution(made, tmp_path):
    if OTTER is None:
        pytest.skip('otter-grader is not installed: pip install "d2l-optim[grading]" (tox\'s course env '
                    "has it)")
    with zipfile.ZipFile(made / "site" / "downloads" / "d2l-optim-otter-numpy.zip") as archive:
        archive.extract("gd.ipynb", tmp_path)
    environment = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    done = subprocess.run([OTTER, "assign", "-v", "gd.ipynb", "dist"], capture_output=True, text=True,
                          env=environment, timeout=900, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All autograder tests passed." in done.stdout + done.stderr  # the solutions pass otter's tests
    student = _readable(tmp_path / "dist" / "student")
    text, figures = _solutions("gd", made / "sources")
    for needle in sorted(text):
        assert not _where(student, needle), needle
    sources = [cell.source for cell in nbformat.read(tmp_path / "dist" / "student" / "gd.ipynb",
                                                     as_version=4).cells]
    assert any(s.startswith("end_by_rate = ...") for s in sources) and 'grader.check("gd-1")' in sources
    autograder = nbformat.read(tmp_path / "dist" / "autograder" / "gd.ipynb", as_version=4)
    tests = autograder.metadata["otter"]["tests"]
    assert sorted(tests) == ["gd-1", "gd-2", "gd-3", "gd-4"]
    assert tests["gd-3"]["suites"][0]["cases"][0]["code"].endswith(">>> verify('gd-3', globals())\n")
