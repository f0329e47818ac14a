"""The build never touches a folder it did not make, runs one at a time per folder, stops when
asked, keeps failures inside their (section, backend), and trusts its cache only when it checks out.

Runs in tox's ``course`` env (NumPy only: these are properties of the build, not of a framework).
"""
import contextlib
import importlib.metadata
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from d2l_optim import __main__ as cli
from d2l_optim.build import plan
from helpers import ROOT

pipeline = pytest.importorskip("d2l_optim.build.pipeline",
                               reason='the course build needs: pip install "d2l-optim[course]"')

QUICK = '''# %% [markdown]
# # Quick
# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("quick")
# %% figures=["line"]
d2l.plot([0.0, 1.0], [0.0, 1.0])
print("one line")
'''
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


def _tree(folder):
    """Every file under ``folder`` with its bytes (symlinks as their target)."""
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as file:
                found[os.path.relpath(path, folder)] = file.read()
    return found


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
    before, names = _tree(tmp_path), sorted(os.listdir(tmp_path))
    with pytest.raises(SystemExit) as exit_:
        _cli(out, sources)
    message = capsys.readouterr().err
    assert exit_.value.code == 2 and reason in message, message
    assert "pass --out with a new or empty folder, or one that an earlier d2l-optim build made" in message
    assert _tree(tmp_path) == before and sorted(os.listdir(tmp_path)) == names  # nothing touched


@pytest.mark.parametrize("name", ["index", "Consistency", "genindex", "search"])
def test_reserved_page_names_are_refused(name, sources, tmp_path, capsys):
    (sources / f"{name}.py").write_text(QUICK)
    with pytest.raises(SystemExit) as exit_:
        _cli(tmp_path / "site", sources)
    assert exit_.value.code == 2
    assert f"section name(s) ['{name}'] are reserved for the site's own pages" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_missing_course_extra_names_the_install_command(monkeypatch, sources, tmp_path, capsys):
    monkeypatch.setattr(plan, "COURSE_MODULES", {**plan.COURSE_MODULES, "d2l_optim_absent": "absent-dist"})
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
    assert (tmp_path / cache / "runs/quick/numpy/run.json").is_file() and not (real / "runs").exists()

    with plan.output_lock(str(real), log=print):  # another build holds the folder
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
    out, run = quick_site, _cache(quick_site) / "runs" / "quick" / "numpy"
    svg = (run / "line.svg").read_bytes()
    (run / "line.svg").write_bytes(svg.replace(b"<svg", b"<svg data-corrupt", 1))
    messages = _rebuild(out, sources)
    assert f"{run / 'line.svg'} changed since it was published: running quick on numpy again" in messages
    assert "1 of 1 runs to do (0 cached), 2 at a time" in messages
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
    assert "0 of 1 runs to do (1 cached), 2 at a time" in messages
    assert (out / "index.html").is_file() and (out / "figures/quick/numpy/line.svg").read_bytes() == svg

    monkeypatch.setattr(plan, "site_code_fingerprint", lambda: "a new page layout")
    messages = _rebuild(out, sources)
    assert "0 of 1 runs to do (1 cached), 2 at a time" in messages  # pages only
    assert _rebuild(out, sources) == [f"{out} is up to date: nothing to run"]


def test_run_keys_cover_what_shapes_a_run_and_not_the_site_writer(tmp_path, sources, monkeypatch):
    keys = plan.run_keys(str(sources), ["quick"], ["numpy", "torch"])
    real_version = plan._distribution_version
    for distribution in ("numpy", "matplotlib", "autograd"):
        monkeypatch.setattr(plan, "_distribution_version", lambda d, changed=distribution:
                            real_version(d) + ("-upgraded" if d == changed else ""))
        changed = plan.run_keys(str(sources), ["quick"], ["numpy", "torch"])
        assert all(changed[job] != keys[job] for job in keys), distribution
    monkeypatch.setattr(plan, "_distribution_version", real_version)

    def installed_as(name):  # a plain `tensorflow` install, not the tensorflow-cpu of the extra
        def version(distribution):
            if distribution != name:
                raise importlib.metadata.PackageNotFoundError(distribution)
            return "2.99.0"
        return version

    monkeypatch.setattr(importlib.metadata, "version", installed_as("tensorflow"))
    assert plan.framework_version("tensorflow") == "tensorflow==2.99.0"
    monkeypatch.undo()

    names = ("d2l_optim/ops.py", "d2l_optim/build/site.py", "d2l_optim/build/runner.py",
             "d2l_optim/__main__.py")
    files = {name: tmp_path / name.replace("/", "_") for name in names}
    for path in files.values():
        path.write_text("# version 1\n")
    monkeypatch.setattr(plan, "_package_files",
                        lambda: [(n.replace("/", os.sep), str(p)) for n, p in files.items()])
    before = plan.run_code_fingerprint(), plan.site_code_fingerprint()
    for name, shapes_runs in [("d2l_optim/build/site.py", False), ("d2l_optim/__main__.py", False),
                              ("d2l_optim/ops.py", True), ("d2l_optim/build/runner.py", True)]:
        files[name].write_text(files[name].read_text() + "# touched\n")
        after = plan.run_code_fingerprint(), plan.site_code_fingerprint()
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
    assert errors["latin1"] == (f"{sources / 'latin1.py'} is not UTF-8 text (invalid continuation byte: byte "
                                "0xe9 at position 23); save it as UTF-8")
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
    before, cached = _tree(quick_site), _tree(_cache(quick_site))
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
    assert _tree(quick_site) == before and _tree(_cache(quick_site)) == cached
    assert sorted(p for p in os.listdir(tmp_path) if p.startswith(".")) == [_cache(quick_site).name]
