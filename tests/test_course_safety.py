"""The build never touches a folder it did not make, runs one at a time per folder, stops when
asked, keeps failures inside their (section, backend), and trusts its cache only when it checks out;
nothing a section, a flag or a crash does corrupts the published course, runs code in a reader's
browser or leaves processes behind (issue 16, point by point below).

Runs in tox's ``course`` env (NumPy only: these are properties of the build, not of a framework).
"""
import contextlib
import html
import html.parser
import importlib.metadata
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time

import pytest

from d2l_optim import __main__ as cli
from d2l_optim.build import plan, records
from helpers import ROOT, quick_section, tree

pipeline = pytest.importorskip("d2l_optim.build.pipeline",
                               reason='the course build needs: pip install "d2l-optim[course]"')

QUICK = quick_section()
SLOW = '''# %%
import os
import time

with open(os.environ["PID_FILE"] + ".tmp", "w") as file:
    file.write(f"{os.getpid()} {os.getppid()}")
os.replace(os.environ["PID_FILE"] + ".tmp", os.environ["PID_FILE"])
time.sleep(3600)
'''
LATER = '''# %%
import os

open(os.path.join(os.environ["RAN_FOLDER"], "{name}"), "w").close()
'''


def _cli(out, sources, *extra):
    return cli.main(["build", "--out", str(out), "--sources", str(sources), "--backends", "numpy",
                     "--no-progress", *extra])


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "quick.py").write_text(QUICK)
    return folder


def _user_folder(tmp_path, sources):
    folder = tmp_path / "mine"
    (folder / "sub").mkdir(parents=True)
    (folder / "thesis.txt").write_text("three years")
    (folder / "sub" / "data.csv").write_text("1,2\n")
    return folder, "is not empty and was not made by d2l-optim build (it has no .d2l-optim-site file)"


def _folder_holding_sources(tmp_path, sources):
    outer = tmp_path / "outer"
    (outer / "sources").mkdir(parents=True)
    (outer / "sources" / "quick.py").write_text(QUICK)
    return outer, "is or contains the --sources folder"


def _cache_name_taken(tmp_path, sources):
    folder = tmp_path / f".site{plan.CACHE_SUFFIX}"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    return tmp_path / "site", f"{folder}, where the build keeps the runs behind --out"


def _a_file(tmp_path, sources):
    path = tmp_path / "notes.txt"
    path.write_text("mine")
    return path, "is a file, not a folder"


@pytest.mark.parametrize("make_out", [
    _user_folder,
    _a_file,
    lambda tmp_path, sources: (".", "is the working directory or one of its parents"),
    lambda tmp_path, sources: ("..", "is the working directory or one of its parents"),
    lambda tmp_path, sources: ("", "--out is empty"),
    lambda tmp_path, sources: (sources, "is or contains the --sources folder"),
    _folder_holding_sources,
    lambda tmp_path, sources: (ROOT, "is or contains the d2l-optim project"),
    _cache_name_taken,
], ids=["user folder", "file", "cwd", "cwd parent", "empty", "sources", "sources parent", "project",
        "cache name taken"])
def test_folders_it_did_not_make_are_refused_untouched(make_out, tmp_path, sources, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    out, reason = make_out(tmp_path, sources)
    if out == tmp_path / "outer":
        sources = out / "sources"
    before, names = tree(tmp_path), sorted(os.listdir(tmp_path))
    with pytest.raises(SystemExit) as exit_:
        _cli(out, sources)
    message = capsys.readouterr().err
    assert exit_.value.code == 2 and reason in message, message
    assert "pass --out with a new or empty folder, or one that an earlier d2l-optim build made" in message
    assert tree(tmp_path) == before and sorted(os.listdir(tmp_path)) == names  # nothing touched


@pytest.mark.parametrize("name", ["index", "Consistency", "genindex", "search"])
def test_reserved_page_names_are_refused(name, sources, tmp_path, capsys):
    (sources / f"{name}.py").write_text(QUICK)
    with pytest.raises(SystemExit) as exit_:
        _cli(tmp_path / "site", sources)
    assert exit_.value.code == 2
    assert f"section name(s) ['{name}'] are reserved for the site's own pages" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_missing_course_extra_names_the_install_command(monkeypatch, sources, tmp_path, capsys):
    monkeypatch.setattr(plan, "RECORD_TOOLS", {**plan.RECORD_TOOLS, "d2l_optim_absent": "absent-dist"})
    with pytest.raises(SystemExit) as exit_:
        _cli(tmp_path / "site", sources)
    assert exit_.value.code == 2
    assert ('the course build needs absent-dist (not installed): pip install "d2l-optim[course]"'
            in capsys.readouterr().err)


def test_site_is_published_through_a_symlink_with_umask_permissions_and_a_lock(tmp_path, sources, capsys):
    real, link = tmp_path / "real-site", tmp_path / "site"
    link.symlink_to(real, target_is_directory=True)
    old_umask = os.umask(0o027)
    try:
        assert _cli(link, sources) == 0
    finally:
        os.umask(old_umask)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert (real / plan.MARKER).is_file() and (real / "quick.html").is_file()
    assert oct(real.stat().st_mode & 0o777) == oct(0o750)
    cache = f".real-site{plan.CACHE_SUFFIX}"  # beside the real folder, not published
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == [cache]  # lock and staging gone
    assert (tmp_path / cache / "quick/numpy/run.json").is_file() and not (real / "quick").exists()

    with plan.folder_locks([str(real)], log=print):  # another build holds the folder
        with pytest.raises(SystemExit) as exit_:
            _cli(link, sources, "--no-wait", "--force")
        assert exit_.value.code == 2
        assert "another d2l-optim build is publishing into" in capsys.readouterr().err
        environment = dict(os.environ, PYTHONUNBUFFERED="1")
        # started outside the checkout, so that `-m d2l_optim` is the installed package
        waiting = subprocess.Popen([sys.executable, "-m", "d2l_optim", "build", "--out", str(link),
                                    "--sources", str(sources), "--backends", "numpy", "--no-progress"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env=environment, cwd=tmp_path)
        first_line = waiting.stdout.readline()
        assert first_line.startswith(f"waiting for another d2l-optim build into {real} to finish")
    assert waiting.wait(timeout=300) == 0
    assert waiting.stdout.read().strip() == f"{real} is up to date: nothing to run"
    waiting.stdout.close()


@pytest.fixture
def quick_site(tmp_path, sources):
    out = tmp_path / "site"
    assert pipeline.build(out=str(out), backends=["numpy"], source_dir=str(sources), progress=False,
                          log=lambda *a: None) == []
    return out


def _rebuild(out, sources):
    messages = []
    assert pipeline.build(out=str(out), backends=["numpy"], source_dir=str(sources), progress=False,
                          log=messages.append) == []
    return messages


def _cache(out):
    return out.parent / f".{out.name}{plan.CACHE_SUFFIX}"


def test_changed_or_missing_files_are_made_again_with_a_note(quick_site, sources, monkeypatch):
    out, run = quick_site, _cache(quick_site) / "quick" / "numpy"
    svg = (run / "line.svg").read_bytes()
    (run / "line.svg").write_bytes(svg.replace(b"<svg", b"<svg data-corrupt", 1))
    messages = _rebuild(out, sources)
    assert f"{run / 'line.svg'} changed since it was published: running quick on numpy again" in messages
    assert "1 of 2 runs to do (1 cached), 2 at a time" in messages  # the explorer's run is cached
    assert (run / "line.svg").read_bytes() == svg == (out / "figures/quick/numpy/line.svg").read_bytes()

    (run / "run.json").write_text('{"status": "ok", "key": ')
    messages = _rebuild(out, sources)
    assert any(m.startswith(f"{run / 'run.json'} is unreadable (") and
               m.endswith("): running quick on numpy again") for m in messages), messages

    (out / "index.html").unlink()
    (out / "figures/quick/numpy/line.svg").write_text("not a figure")
    messages = _rebuild(out, sources)
    figure = out / "figures/quick/numpy/line.svg"
    assert messages[0] == f"{figure} changed since it was published: rebuilding the site"
    assert "0 of 2 runs to do (2 cached), 2 at a time" in messages
    assert (out / "index.html").is_file() and (out / "figures/quick/numpy/line.svg").read_bytes() == svg

    monkeypatch.setattr(plan, "site_code_fingerprint", lambda: "a new page layout")
    messages = _rebuild(out, sources)
    assert "0 of 2 runs to do (2 cached), 2 at a time" in messages  # pages only: not even the explorer runs
    assert _rebuild(out, sources) == [f"{out} is up to date: nothing to run"]


def test_run_keys_cover_what_shapes_a_run_and_not_the_site_writer(tmp_path, sources, monkeypatch):
    source = records.source_files()
    keys = plan.run_keys(str(sources), ["quick"], ["numpy", "torch"], source)
    assert sorted(keys) == [("explorer", "numpy"), ("explorer", "torch"), ("quick", "numpy"),
                            ("quick", "torch")]  # the explorer's runs are keyed as the sections' are
    real_version = records.distribution_version
    for distribution in ("numpy", "matplotlib", "autograd"):
        monkeypatch.setattr(records, "distribution_version", lambda d, changed=distribution:
                            real_version(d) + ("-upgraded" if d == changed else ""))
        changed = plan.run_keys(str(sources), ["quick"], ["numpy", "torch"], source)
        assert all(changed[job] != keys[job] for job in keys), distribution
    monkeypatch.setattr(records, "distribution_version", real_version)
    changed = plan.run_keys(str(sources), ["quick"], ["numpy", "torch"], {**source, "d2l_optim/ops.py": "0"})
    assert all(changed[job] != keys[job] for job in keys)

    def installed_as(name):  # a plain `tensorflow` install, not the tensorflow-cpu of the extra
        def version(distribution):
            if distribution != name:
                raise importlib.metadata.PackageNotFoundError(distribution)
            return "2.99.0"
        return version

    monkeypatch.setattr(importlib.metadata, "version", installed_as("tensorflow"))
    assert records.framework_version("tensorflow") == "tensorflow==2.99.0"
    monkeypatch.undo()

    names = ("d2l_optim/ops.py", "d2l_optim/build/site.py", "d2l_optim/build/runner.py",
             "d2l_optim/build/published.py", "d2l_optim/build/explorer.py", "d2l_optim/build/assemble.py",
             "d2l_optim/__main__.py", "backends/torch/__init__.py")
    files = {name: tmp_path / name.replace("/", "_") for name in names}
    for path in files.values():
        path.write_text("# version 1\n")
    monkeypatch.setattr(records, "package_files", lambda: [(n, str(p)) for n, p in files.items()])

    def fingerprints():
        return records.source_digest(records.source_files()), plan.site_code_fingerprint()

    before = fingerprints()
    for name in names:
        files[name].write_text(files[name].read_text() + "# touched\n")
        after = fingerprints()
        shapes_runs = records.is_source(name)
        assert shapes_runs == (name not in ("d2l_optim/build/site.py", "d2l_optim/build/assemble.py",
                                            "d2l_optim/__main__.py")), name
        assert (after[0] != before[0], after[1] != before[1]) == (shapes_runs, not shapes_runs), name
        before = after


FAILING = {
    "latin1": QUICK.replace("# # Quick", "# # Caf\xe9").encode("latin-1"),
    "raises": QUICK.replace('print("one line")', 'print("first")\n\n\ndef deep():\n'
                            '    raise ValueError("boom from the section")\n\n\ndeep()').encode(),
    "crash": QUICK.replace('print("one line")', 'import os\nos._exit(3)').encode(),
    "bytes": QUICK.replace('print("one line")', 'import os\n\nos.write(1, b"\\xff\\xfe\\n")\n'
                           'os.write(2, b"\\xff\\n")\nprint("\\udcff")').encode(),
    "slow": QUICK.replace('print("one line")', 'import time\n\nprint("before the wait", flush=True)\n'
                          'time.sleep(3600)').encode(),
}


def test_failures_stay_inside_their_run(tmp_path, sources, capsys):
    for name, source in FAILING.items():
        (sources / f"{name}.py").write_bytes(source)
    out = tmp_path / "site"
    assert _cli(out, sources, "--cell-timeout", "20") == 1
    printed = capsys.readouterr().out
    manifest = json.loads((out / "outputs.json").read_text())["sections"]
    status = {name: runs["numpy"]["status"] for name, runs in manifest.items()}
    assert status["quick"] == "ok" and manifest["quick"]["numpy"]["lines"] == ["one line"]
    errors = {name: runs["numpy"]["error"] for name, runs in manifest.items() if runs["numpy"]["error"]}
    assert sorted(errors) == ["crash", "latin1", "raises", "slow"]
    assert status["bytes"] == "ok" and manifest["bytes"]["numpy"]["lines"] == ["\ufffd"]  # shown, not fatal
    for name, error in errors.items():
        assert status[name] == "failed" and f"FAILED {name} on numpy:" in printed
        assert "\x1b" not in error, name
    assert errors["latin1"] == ("<sources>/latin1.py is not UTF-8 text (invalid continuation byte: byte "
                                "0xe9 at position 23); save it as UTF-8")  # no path of the build machine
    assert f"FAILED latin1 on numpy:\n{errors['latin1']}" in printed
    assert errors["raises"].startswith("An error occurred while executing the following cell:")
    assert "deep()" in errors["raises"] and "ValueError: boom from the section" in errors["raises"]
    assert manifest["raises"]["numpy"]["lines"] == ["first"]
    assert "Kernel died" in errors["crash"]
    assert errors["slow"] == ("the cell beginning 'd2l.plot([0.0, 1.0], [0.0, 1.0])' ran longer than 20 s "
                              "(--cell-timeout) and was stopped")
    assert manifest["slow"]["numpy"]["lines"] == ["before the wait"]  # output before the timeout kept
    assert "before the wait" in (out / "slow.html").read_text()
    assert "is not UTF-8 text" in (out / "latin1.html").read_text()


def _alive(pid):
    """Whether ``pid`` runs (a zombie waiting for its parent's reaper counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_for(condition, what, tries=600):
    for _ in range(tries):
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"gave up waiting for {what}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_build_and_leaves_the_old_site(signum, quick_site, tmp_path):
    slow_sources, ran = tmp_path / "slow-sources", tmp_path / "ran"
    slow_sources.mkdir()
    ran.mkdir()
    (slow_sources / "a_slow.py").write_text(SLOW)
    for name in ("b_later", "c_later"):
        (slow_sources / f"{name}.py").write_text(LATER.format(name=name))
    before, cached = tree(quick_site), tree(_cache(quick_site))
    pid_file = tmp_path / "kernel.pid"
    environment = dict(os.environ, PID_FILE=str(pid_file), RAN_FOLDER=str(ran))
    build = subprocess.Popen([sys.executable, "-m", "d2l_optim", "build", "--out", str(quick_site),
                              "--sources", str(slow_sources), "--backends", "numpy", "--jobs", "1",
                              "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=environment, start_new_session=True, cwd=tmp_path)
    try:
        _wait_for(pid_file.exists, "the slow section to start")
        kernel, runner = map(int, pid_file.read_text().split())
        build.send_signal(signum)
        stdout, stderr = build.communicate(timeout=300)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)
    assert build.returncode == 128 + signum
    assert stderr == f"d2l-optim build: stopped by {signum.name}; {quick_site} left as it was\n"
    assert "Traceback" not in stdout
    assert os.listdir(ran) == []  # the queued runs never started
    _wait_for(lambda: not _alive(kernel) and not _alive(runner), "the runner and its kernel to end")
    assert tree(quick_site) == before and tree(_cache(quick_site)) == cached
    assert sorted(p for p in os.listdir(tmp_path) if p.startswith(".")) == [_cache(quick_site).name]


# --- issue 16: nothing a section, a flag or a crash does corrupts the course, runs code in a
# reader's browser or leaves processes behind. Point by point:
#  1 output inside the package: test_an_output_inside_the_package_is_refused,
#    test_a_build_run_inside_the_package_is_refused
#  2 unbounded output: test_a_section_that_prints_too_much_is_cut_and_the_build_stays_small,
#    test_a_run_past_its_limits_fails_and_its_figures_are_not_kept
#  3 a cache that lies: test_a_changed_run_record_is_run_again_before_it_is_published;
#    test_course.py::test_a_disagreement_that_comes_from_the_cache_says_so
#  4 flags: test_cell_timeouts_a_user_would_type_are_accepted,
#    test_wrong_flags_are_usage_errors_before_anything_runs
#  5 a failed run keeps the good one: test_a_failing_run_never_replaces_a_working_lesson
#  6 script injection, paths: test_what_a_run_prints_and_names_is_published_safely,
#    test_section_file_names_must_be_plain
#  7 frameworks in one process: tests/test_framework_conflicts.py
#  8 no sections: test_sources_without_sections_are_refused_and_the_site_kept
#  9 SIGKILL: test_a_killed_build_takes_its_runs_along_and_the_next_build_clears_up
# 10 the compiled path's checks: test_compiled.py::test_the_compiled_step_checks_what_the_eager_one_checks,
#    test_compiled.py::test_new_parameter_shapes_get_a_checked_eager_step
# 11 user files: test_files_added_to_a_published_site_are_kept_and_listed
# 12 test_a_file_size_limit_ends_in_a_clean_message, test_sigterm_while_the_explorer_computes_stops_the_build,
#    test_a_runner_ended_by_sigterm_ends_its_kernel_and_says_so_plainly (its handler; no Jupyter log
#    line in its error), test_a_build_of_some_sections_keeps_the_other_sections_runs,
#    tests/test_odd_arguments.py (hessian on MXNet, get_data_ch11)
# -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("module", ["d2l_optim", "d2l_optim.backends", "d2l_optim.examples"])
def test_an_output_inside_the_package_is_refused(module, sources, capsys):
    folder = dict(plan.package_folders())[module]
    out = os.path.join(folder, "examples" if module == "d2l_optim" else "site")  # would shadow the sections
    before = sorted(os.listdir(folder))
    with pytest.raises(SystemExit) as exit_:
        _cli(out, sources)
    message = capsys.readouterr().err
    # an editable install keeps the backends and sections beside the package, a wheel inside it (its
    # d2l_optim/examples is then the sections' folder itself): refused either way, naming the folder
    refused = [f"lies inside the d2l-optim package ({package})" for _, package in plan.package_folders()]
    refused.append(f"is or contains the d2l-optim project ({os.path.realpath(out)})")
    assert exit_.value.code == 2 and any(reason in message for reason in refused), message
    assert sorted(os.listdir(folder)) == before  # no site, cache or lock file there


def test_a_build_run_inside_the_package_is_refused(sources, monkeypatch, capsys):
    folder = dict(plan.package_folders())["d2l_optim"]
    monkeypatch.chdir(folder)
    before = sorted(os.listdir(folder))
    with pytest.raises(SystemExit) as exit_:  # the default --out, site, would be d2l_optim/site
        cli.main(["build", "--sources", str(sources), "--backends", "numpy", "--no-progress"])
    assert exit_.value.code == 2 and "lies inside the d2l-optim package" in capsys.readouterr().err
    assert sorted(os.listdir(folder)) == before


def _peak_memory(command, cwd):
    """Run ``command``; its exit status and the largest memory (kB) that it or any process it
    waited for (runners, kernels, Sphinx) held."""
    measure = ("import resource, subprocess, sys; status = subprocess.run(sys.argv[1:]).returncode; "
               "print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    process = subprocess.Popen([sys.executable, "-c", measure, *command], stdout=subprocess.PIPE, text=True,
                               cwd=cwd, start_new_session=True)
    try:
        stdout, _ = process.communicate(timeout=900)  # a hang guard, not a speed check
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    status, peak = stdout.split()[-2:]
    return int(status), int(peak)


LOUD = '''# %%
import sys

import d2l_optim as d2l

section = d2l.Section("loud")
print(("x" * 99 + "\\n") * 200_000)
# %%
sys.stdout.write = type(sys.stdout).write.__get__(sys.stdout)  # round the kernel's cap
print("y" * 3_000_000)
# %%
"z" * 10_000_000
'''


def test_a_section_that_prints_too_much_is_cut_and_the_build_stays_small(tmp_path, sources):
    (sources / "loud.py").write_text(LOUD)
    out = tmp_path / "site"
    command = [sys.executable, "-m", "d2l_optim", "build", "--out", str(out), "--sources", str(sources),
               "--backends", "numpy", "--no-progress"]
    status, peak_kb = _peak_memory(command, tmp_path)
    assert status == 0
    assert peak_kb < 1_500_000  # a 20 MB print once took 5 GB (Sphinx) and 9 copies of the text
    page, notebook = (out / "loud.html").read_text(), (out / "notebooks/numpy/loud.ipynb").read_text()
    for note in ("… 19.9 MB not shown (d2l-optim build shows at most 100 kB here)",  # the kernel's cap
                 "… 2.9 MB not shown (d2l-optim build shows at most 100 kB here)"):  # the runner's
        assert note in page and note in notebook, note
    assert "… 10 MB not shown (d2l-optim build shows at most 4 MB here)" in notebook  # a cell's value
    files = {p.relative_to(out).as_posix(): p.stat().st_size for p in out.rglob("*") if p.is_file()}
    assert sum(files.values()) < 15_000_000
    assert not [name for name, size in files.items() if size > 1_500_000 and not name.startswith("_static/")]
    cached = sum(p.stat().st_size for p in _cache(out).rglob("*") if p.is_file())
    assert cached < 3_000_000


DENSE = '''# %%
import numpy as np

import d2l_optim as d2l

section = d2l.Section("dense")
x = np.linspace(0, 1, 100_000)
# %% figures=["dots"]
d2l.plot(x, [np.sin(50 * x) + x], fmts=["."])
'''
MANY = '''# %%
import d2l_optim as d2l

section = d2l.Section("many")
# %%
for i in range(101):
    d2l.plot([0.0, 1.0], [0.0, float(i)], figsize=(1, 1))
'''


FLOOD = '''# %%
import sys

sys.stdout.write = type(sys.stdout).write.__get__(sys.stdout)  # round the kernel's cap
print("y" * 80_000_000)
'''


def test_a_run_past_its_limits_fails_and_its_figures_are_not_kept(tmp_path, sources):
    (sources / "dense.py").write_text(DENSE)
    (sources / "many.py").write_text(MANY)
    (sources / "flood.py").write_text(FLOOD)
    out = tmp_path / "site"
    assert _cli(out, sources) == 1
    manifest = json.loads((out / "outputs.json").read_text())["sections"]
    assert manifest["quick"]["numpy"]["status"] == "ok"
    assert manifest["flood"]["numpy"]["error"] == (
        "the section sent one output over 64 MB (d2l-optim build's limit for one run), which was not "
        "received, and the run was stopped: print and display less")
    dense, many = manifest["dense"]["numpy"], manifest["many"]["numpy"]
    assert dense["status"] == many["status"] == "failed" and dense["figures"] == many["figures"] == []
    limit = (r"d2l-optim build's limits: dots\.svg is \d+(\.\d+)? MB, over the limit of 4 MB for a figure: "
             r"draw fewer points \(the run's figures and files were not kept\)")
    assert re.search(limit, dense["error"]), dense["error"]
    assert "the section saved 101 figures, over the limit of 100" in many["error"]
    assert not (out / "figures" / "dense").exists() and not (out / "figures" / "many").exists()
    for section in ("dense", "many"):
        kept = os.listdir(_cache(out) / section / "numpy")
        assert sorted(kept) == ["compare.json", "notebook.ipynb", "run.json"], kept


def test_a_changed_run_record_is_run_again_before_it_is_published(quick_site, sources, monkeypatch):
    run = _cache(quick_site) / "quick" / "numpy"
    (run / "run.json").write_text((run / "run.json").read_text().replace("one line", "one lime"))
    messages = _rebuild(quick_site, sources)
    assert (f"{run / 'run.json'} changed since it was written (its content does not match its seal): "
            "running quick on numpy again") in messages, messages
    assert json.loads((quick_site / "outputs.json").read_text())["sections"]["quick"]["numpy"]["lines"] == [
        "one line"]

    (run / "extra.svg").write_text("<svg/>")  # a file the record does not list
    monkeypatch.setattr(plan, "site_code_fingerprint", lambda: "a new page layout")
    messages = _rebuild(quick_site, sources)
    assert f"{run / 'extra.svg'} was added since it was published: running quick on numpy again" in messages
    assert not (run / "extra.svg").exists()


@pytest.mark.parametrize("value", ["600.5", "none"])
def test_cell_timeouts_a_user_would_type_are_accepted(value, tmp_path, sources):
    assert _cli(tmp_path / "site", sources, "--cell-timeout", value) == 0
    manifest = json.loads((tmp_path / "site" / "outputs.json").read_text())["sections"]
    assert manifest["quick"]["numpy"]["lines"] == ["one line"]


@pytest.mark.parametrize("flag, value", [("--cell-timeout", "1e-9"), ("--cell-timeout", "0"),
                                         ("--cell-timeout", "-5"), ("--cell-timeout", "nan"),
                                         ("--cell-timeout", "1e12"), ("--cell-timeout", "ten"),
                                         ("--jobs", "0"), ("--jobs", "2.5"), ("--backends", "numpie")])
def test_wrong_flags_are_usage_errors_before_anything_runs(flag, value, tmp_path, sources, capsys):
    with pytest.raises(SystemExit) as exit_:
        _cli(tmp_path / "site", sources, flag, value)
    message = capsys.readouterr().err
    assert exit_.value.code == 2 and f"error: argument {flag}: " in message, message
    assert "Traceback" not in message and not (tmp_path / "site").exists()


def test_a_failing_run_never_replaces_a_working_lesson(quick_site, sources, capsys):
    before, cached = tree(quick_site), tree(_cache(quick_site))
    (sources / "quick.py").write_text(QUICK + 'raise ValueError("broken by an edit")\n')
    with pytest.raises(SystemExit) as exit_:
        _cli(quick_site, sources)
    message = capsys.readouterr().err
    assert exit_.value.code == 1
    assert ("these runs failed, and the published site shows them working, so it was left as it was:\n"
            "  quick on NumPy: ValueError: broken by an edit") in message, message
    assert tree(quick_site) == before and tree(_cache(quick_site)) == cached


UNSAFE = '''# %%
import os
import sys
import warnings

from IPython.display import SVG, display

import d2l_optim as d2l

section = d2l.Section("unsafe")
print("\\x1b[31mred\\x1b[0m and a bell\\x07, a null\\x00 and a \\x1b]0;title\\x07tab\\tstop")
print("progress 50%\\rprogress 100%")
print("working in", os.getcwd(), "with", sys.prefix, "from", d2l.__file__)
warnings.warn_explicit("a warning from the package", UserWarning, d2l.__file__, 1)
folder = os.environ["D2L_OPTIM_OUT"]
for name in ('x" onerror="alert(6)', "../../../../escaped"):
    with open(os.path.join(folder, name + ".svg"), "w") as file:
        file.write('<svg xmlns="http://www.w3.org/2000/svg"/>')
    display(SVG(filename=os.path.join(folder, name + ".svg")), metadata={"d2l_optim": {"figure": name}})
# %%
d2l.get_data_ch11(batch_size=0)
'''


class _Attributes(html.parser.HTMLParser):
    def __init__(self, page):
        super().__init__()
        self.names = set()
        self.feed(page)

    def handle_starttag(self, tag, attributes):
        self.names.update(name for name, _ in attributes)


def test_what_a_run_prints_and_names_is_published_safely(tmp_path, sources):
    (sources / "unsafe.py").write_text(UNSAFE)
    out = tmp_path / "site"
    assert _cli(out, sources) == 1
    entry = json.loads((out / "outputs.json").read_text())["sections"]["unsafe"]["numpy"]
    assert entry["status"] == "failed" and entry["figures"] == []
    refused = ['../../../../escaped', 'x" onerror="alert(6)']
    assert f"figure name(s) {refused} are not plain, so they were not published" in entry["error"]
    assert entry["lines"][:2] == ["red and a bell, a null and a tab\tstop", "progress 100%"]
    assert re.fullmatch(r"working in <output folder>/\.site\.d2l-optim-build-\w+/records/unsafe/numpy "
                        r"with <python> from <d2l_optim>/__init__\.py", entry["lines"][2]), entry["lines"][2]
    page = (out / "unsafe.html").read_text()
    assert "onerror" not in _Attributes(page).names and "<d2l_optim>/data.py" in html.unescape(page)
    assert "<d2l_optim>/__init__.py:1: UserWarning: a warning from the package" in html.unescape(page)
    assert not [p for folder in (out, _cache(out)) for p in folder.rglob("escaped*")]  # published nowhere
    machine = [str(tmp_path), os.path.realpath(tmp_path), sys.prefix, os.path.expanduser("~"),
               os.path.dirname(os.path.realpath(cli.__file__))]
    for path in out.rglob("*"):
        published_text = path.suffix in (".html", ".json", ".txt", ".ipynb") and "_static" not in path.parts
        if path.is_file() and published_text:
            text = path.read_text()
            assert not [m for m in machine if m in text], (path, [m for m in machine if m in text])
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text.replace("\\u001b", "")), path


@pytest.mark.parametrize("name", ['say "hi"', "a b", "x.y", "<i>"])
def test_section_file_names_must_be_plain(name, sources, tmp_path, capsys):
    (sources / f"{name}.py").write_text(QUICK)
    with pytest.raises(SystemExit) as exit_:
        _cli(tmp_path / "site", sources)
    message = capsys.readouterr().err
    assert exit_.value.code == 2 and f"section file name(s) [{name!r}]" in message
    assert "are not plain" in message


@pytest.mark.parametrize("make_sources", ["empty", "private only", "the site itself"])
def test_sources_without_sections_are_refused_and_the_site_kept(make_sources, quick_site, tmp_path, capsys):
    before, cached = tree(quick_site), tree(_cache(quick_site))
    folder = quick_site if make_sources == "the site itself" else tmp_path / make_sources
    folder.mkdir(exist_ok=True)
    if make_sources == "private only":
        (folder / "_helpers.py").write_text("X = 1\n")
    with pytest.raises(SystemExit) as exit_:
        _cli(quick_site, folder)
    message = capsys.readouterr().err
    assert exit_.value.code == 2 and f"--sources {folder} holds no section scripts" in message, message
    assert "no site was replaced" in message
    assert tree(quick_site) == before and tree(_cache(quick_site)) == cached


def _build_process(out, sources, environment=None, *extra):
    return subprocess.Popen([sys.executable, "-m", "d2l_optim", "build", "--out", str(out), "--sources",
                             str(sources), "--backends", "numpy", "--jobs", "1", "--no-progress", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env=environment or dict(os.environ), cwd=os.path.dirname(out))


def _slow_sources(tmp_path):
    folder = tmp_path / "slow-sources"
    folder.mkdir()
    (folder / "a_slow.py").write_text(SLOW)
    return folder, dict(os.environ, PID_FILE=str(tmp_path / "kernel.pid"))


def test_a_killed_build_takes_its_runs_along_and_the_next_build_clears_up(quick_site, sources, tmp_path):
    slow_sources, environment = _slow_sources(tmp_path)
    pid_file = tmp_path / "kernel.pid"
    build = _build_process(quick_site, slow_sources, environment)
    try:
        _wait_for(pid_file.exists, "the slow section to start")
        kernel, runner = map(int, pid_file.read_text().split())
        os.kill(build.pid, signal.SIGKILL)  # as the OOM killer, a CI timeout or docker stop do
        build.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)
    _wait_for(lambda: not _alive(kernel) and not _alive(runner), "the runner and its kernel to end")
    left = [p for p in os.listdir(tmp_path) if p.startswith(".site.d2l-optim-build-")]
    assert len(left) == 1  # the killed build could not remove its staging folder
    messages = _rebuild(quick_site, sources)
    assert f"removed {tmp_path / left[0]}, left by a build into {quick_site} that did not finish" in messages
    assert sorted(p for p in os.listdir(tmp_path) if p.startswith(".")) == [_cache(quick_site).name]


def _children(pid):
    """{pid: command line} of the processes whose parent is ``pid``."""
    found = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as file:
                parent = int(file.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                command = file.read().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        if parent == pid:
            found[int(entry)] = command
    return found


def test_sigterm_while_the_explorer_computes_stops_the_build(quick_site, sources, tmp_path):
    build = _build_process(quick_site, sources, None, "--force")
    try:
        explorers = {}

        def explorer_started():
            explorers.update((pid, command) for pid, command in _children(build.pid).items()
                             if "d2l_optim.build.explorer" in command)
            return explorers or build.poll() is not None

        _wait_for(explorer_started, "the explorer's computation to start", tries=6000)
        assert explorers, build.communicate()
        for pid in explorers:
            os.kill(pid, signal.SIGSTOP)  # a computation that would not end on its own
        build.send_signal(signal.SIGTERM)
        _, stderr = build.communicate(timeout=300)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)
    assert build.returncode == 143 and stderr.endswith(f"stopped by SIGTERM; {quick_site} left as it was\n")
    _wait_for(lambda: not any(map(_alive, explorers)), "the explorer's processes to end")


def test_a_runner_ended_by_sigterm_ends_its_kernel_and_says_so_plainly(tmp_path):
    slow_sources, environment = _slow_sources(tmp_path)
    pid_file, out = tmp_path / "kernel.pid", tmp_path / "site"
    build = _build_process(out, slow_sources, environment)
    try:
        _wait_for(pid_file.exists, "the slow section to start")
        kernel, runner = map(int, pid_file.read_text().split())
        os.kill(runner, signal.SIGTERM)
        stdout, _ = build.communicate(timeout=300)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)
    assert build.returncode == 1 and "FAILED a_slow on numpy:\nthe runner exited with status 143" in stdout
    entry = json.loads((out / "outputs.json").read_text())["sections"]["a_slow"]["numpy"]
    assert entry["error"] == "the runner exited with status 143"  # no Jupyter log line in front
    _wait_for(lambda: not _alive(kernel), "the kernel to end")


def test_a_file_size_limit_ends_in_a_clean_message(tmp_path, sources):
    out = tmp_path / "site"

    def limit_file_sizes():  # the theme's MathJax file is over 1 MB
        resource.setrlimit(resource.RLIMIT_FSIZE, (500_000, 500_000))

    finished = subprocess.run([sys.executable, "-m", "d2l_optim", "build", "--out", str(out), "--sources",
                               str(sources), "--backends", "numpy", "--no-progress"], capture_output=True,
                              text=True, cwd=tmp_path, preexec_fn=limit_file_sizes, timeout=900)
    assert finished.returncode == 1 and "Traceback" not in finished.stderr, finished.stderr
    expected = (rf"d2l-optim build failed, {re.escape(str(out))} left as it was: could not write \S+: "
                r"File too large \(a file-size limit stops it: see ulimit -f\)\n")
    assert re.fullmatch(expected, finished.stderr), finished.stderr
    assert not out.exists() and sorted(p for p in os.listdir(tmp_path) if p.startswith(".")) == []


def test_a_build_of_some_sections_keeps_the_other_sections_runs(tmp_path, sources):
    (sources / "other.py").write_text(QUICK.replace('"quick"', '"other"'))
    out, messages = tmp_path / "site", []
    for subset in (None, ["quick"], None):
        messages.clear()
        assert pipeline.build(out=str(out), backends=["numpy"], sections=subset, source_dir=str(sources),
                              progress=False, log=messages.append) == []
    assert "0 of 3 runs to do (3 cached), 2 at a time" in messages, messages


def test_files_added_to_a_published_site_are_kept_and_listed(quick_site, sources):
    mine = {"CNAME": "course.example.org\n", ".nojekyll": "", "notes/todo.md": "check the figures\n"}
    for name, text in mine.items():
        (quick_site / name).parent.mkdir(exist_ok=True)
        (quick_site / name).write_text(text)
    for _ in range(2):  # and again: they stay the user's files
        messages = []
        assert pipeline.build(out=str(quick_site), backends=["numpy"], source_dir=str(sources), force=True,
                              progress=False, log=messages.append) == []
        assert f"kept 3 file(s) you added to {quick_site}: .nojekyll, CNAME, notes/todo.md" in messages
        assert {name: (quick_site / name).read_text() for name in mine} == mine

    (quick_site / "extra.html").write_text("mine")
    (sources / "extra.py").write_text(QUICK.replace('"quick"', '"extra"'))
    before = tree(quick_site)
    taken = f"you added extra.html to {quick_site}, and the new site has files of the same name"
    with pytest.raises(pipeline.BuildError, match=re.escape(taken)):
        pipeline.build(out=str(quick_site), backends=["numpy"], source_dir=str(sources), progress=False,
                       log=lambda *a: None)
    assert tree(quick_site) == before


def test_help_is_plain_text_and_names_the_sections(capsys):
    from d2l_optim import examples

    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "``" not in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["build", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "``" not in text and "the chapter's: " + ", ".join(examples.SECTIONS) in text
