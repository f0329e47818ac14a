"""benchmarks/run.py runs where the README runs it and shows a failing process's error (no timing
is asserted: speed is what the benchmarks report, not what the tests check)."""
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = ["--quick", "--repeats", "1", "--backends", "numpy"]


def run_benchmarks(clone, *arguments):
    return subprocess.run([sys.executable, os.path.join("benchmarks", "run.py"), *QUICK, *arguments],
                          cwd=clone, capture_output=True, text=True, timeout=300)


def rows(stdout, case):
    return [line.split() for line in stdout.splitlines() if line.startswith(case + " ")]


def test_a_quick_case_runs_from_the_clone_root(tmp_path):
    out = run_benchmarks(ROOT, "--cases", "adam_2d", "import", "--json", str(tmp_path / "rows.json"))
    assert out.returncode == 0, out.stderr
    assert len(rows(out.stdout, "adam_2d")) == 1 and len(rows(out.stdout, "import")) == 2
    found = json.loads((tmp_path / "rows.json").read_text())["rows"]
    assert [(r["case"], r["backend"]) for r in found] == [("adam_2d", "numpy"), ("import", "-"),
                                                          ("import", "numpy")]
    adam_2d = found[0]
    for key in ("d2l", "hand", "lean", "compiled", "ratio", "lean_ratio", "compiled_ratio"):
        assert adam_2d[key] > 0, key
    assert adam_2d["max_difference"] < 1e-9  # the same points as the hand-written loops


def test_children_import_the_installed_package_and_show_their_errors(tmp_path):
    """A clone whose source folder is not the installed package (as after a regular install): the
    processes the benchmarks start import the installed one; a native loop that fails to import
    has its error printed, its row marked failed, and the run exits with status 1."""
    shutil.copytree(os.path.join(ROOT, "benchmarks"), tmp_path / "benchmarks",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "d2l_optim").mkdir()
    (tmp_path / "d2l_optim" / "__init__.py").write_text(
        'raise ImportError("the source folder was imported, not the installed package")\n')
    (tmp_path / "benchmarks" / "native_numpy.py").write_text(
        'raise ImportError("native_numpy is broken on purpose")\n')
    out = run_benchmarks(tmp_path, "--cases", "import", "adam_2d")
    assert out.returncode == 1
    assert "source folder was imported" not in out.stdout + out.stderr
    assert len(rows(out.stdout, "import")) == 2
    assert "benchmark adam_2d on numpy failed:" in out.stderr
    assert 'raise ImportError("native_numpy is broken on purpose")' in out.stderr  # the traceback
    assert "failed: ImportError: native_numpy is broken on purpose" in out.stdout
    assert out.stderr.strip().endswith("some benchmarks failed; their errors are printed above")
