"""Run records and assembly (issue 18): records made in two separate environments and assembled into
one site; mixes that cannot be merged refused; gaps shown; the explorer recorded and cached per
backend; each record's environment on the consistency page and in the manifest; a working site
never replaced by a worse one.

Runs in tox's ``course`` env (NumPy and PyTorch: the second environment is a venv of its own, which
sees this one's packages through a .pth file, as /work/venvs/mkenv.sh layers its venvs).
"""
import json
import os
import platform
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from d2l_optim import __main__ as cli
from d2l_optim import _config
from d2l_optim.build import plan, records
from d2l_optim.build.errors import RecordsRefused
from helpers import quick_section, tree

pipeline = pytest.importorskip("d2l_optim.build.pipeline",
                               reason='the course build needs: pip install "d2l-optim[course]"')
assemble = pytest.importorskip("d2l_optim.build.assemble",
                               reason='the course build needs: pip install "d2l-optim[course]"')

QUICK = quick_section("quick", "The quick section")


def _quiet(*args):
    pass


@pytest.fixture(scope="module")
def second_python(tmp_path_factory):
    """A second Python environment: a venv of its own, with this environment's packages on its path."""
    if not _config.is_installed("torch"):
        pytest.skip(f"the records tests make PyTorch's records: {_config.install_hint('torch')}")
    folder = tmp_path_factory.mktemp("second") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site_packages = subprocess.run([str(python), "-c", where], capture_output=True, text=True,
                                   check=True).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    Path(site_packages, "00-layered.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    return python


@pytest.fixture(scope="module")
def made(tmp_path_factory, second_python):
    """Records of two sections on NumPy made here, and of one of them on PyTorch made by the second
    environment (the command line, in its own process), and their sources."""
    root = tmp_path_factory.mktemp("records")
    sources = root / "sources"
    sources.mkdir()
    for name in ("quick", "other"):
        (sources / f"{name}.py").write_text(quick_section(name, f"The {name} section"))
    assert pipeline.build(records=str(root / "numpy"), backends=["numpy"], source_dir=str(sources),
                          progress=False, log=_quiet) == []
    (root / "torch-sources").mkdir()
    (root / "torch-sources" / "quick.py").write_text(QUICK)
    command = ["build", "--records", str(root / "torch"), "--sources", str(root / "torch-sources"),
               "--backends", "torch", "--no-progress"]
    second = subprocess.run([str(second_python), "-m", "d2l_optim", *command], capture_output=True, text=True,
                            cwd=root, timeout=900)
    assert second.returncode == 0, second.stderr
    assert f"recorded {root / 'torch'} (1 sections and the explorer x 1 backends, 0 failed)" in second.stdout
    return root


def test_records_describe_themselves(made):
    folder = made / "numpy"
    assert sorted(os.listdir(folder)) == ["explorer", "other", "quick", "records.json"]
    marker = records.read_marker(str(folder))
    assert marker["source"] == records.source_files() and "d2l_optim/ops.py" in marker["source"]
    record = records.RunRecord.read(str(folder / "quick" / "numpy"))
    assert record.ok and record.stdout == "one line\n" and record.figures == ["line"]
    assert record.script == records.file_hash(str(folder / "quick" / "section.py"))
    assert {"notebook.ipynb", "line.svg", "line.png", "figure-data.json"} <= set(record.files)
    environment = record.environment
    assert environment["python"] == platform.python_version()
    assert environment["numpy"] == records.distribution_version("numpy")
    assert environment["framework"] == records.framework_version("numpy") and environment["platform"]
    explorer = records.RunRecord.read(str(folder / "explorer" / "numpy"))
    assert explorer.ok and explorer.seconds > 0 and set(explorer.files) == {"paths.json"}
    torch = records.RunRecord.read(str(made / "torch" / "explorer" / "torch"))
    assert torch.ok and torch.environment["framework"].startswith("torch==")


def test_records_from_two_environments_make_one_site(made, capsys):
    out = made / "site"
    assert cli.main(["assemble", str(made / "numpy"), str(made / "torch"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for line in ("no records of TensorFlow: its column of the coverage matrix is a gap",
                 "no record of other on PyTorch: a gap in the coverage matrix"):
        assert line in printed
    missing = len(_config.BACKENDS) - 2  # every backend but NumPy and PyTorch: a column of 3 gaps each
    assert re.search(rf"published \S+, the instructor edition \(2 sections x 2 backends, 0 failed, "
                     rf"{3 * missing + 1} gaps; from the records in ", printed)
    manifest = json.loads((out / "outputs.json").read_text())
    assert manifest["sections"]["quick"]["torch"]["lines"] == ["one line"] == manifest["sections"]["quick"][
        "numpy"]["lines"]
    assert manifest["sections"]["other"]["torch"]["status"] == "missing"
    assert manifest["build"]["gaps"] == [["other", "torch"]]
    assert manifest["build"]["no records"] == [b for b in _config.BACKENDS if b not in ("numpy", "torch")]
    assert sorted(manifest["explorer"]) == ["numpy", "torch"]
    assert (out / "figures/quick/line.svg").is_file()  # drawn alike by the two environments: once
    coverage = _text(out / "index.html")
    for name, gaps in (("quick", missing), ("other", missing + 1)):  # and PyTorch for other
        row = re.search(rf"The {name} section( (✓ [\d.]+ s|— no record|✗ failed)){{{len(_config.BACKENDS)}}}",
                        coverage).group()
        assert row.split(" section ")[1].startswith("✓") and row.count("— no record") == gaps, row
    assert "Not run on PyTorch: there is no record of this section there" in _text(out / "other.html")
    assert "on NumPy, PyTorch: they agree" in _text(out / "explorer.html")
    assert cli.main(["assemble", str(made / "numpy"), str(made / "torch"), "--out", str(out)]) == 0
    assert f"{out} is up to date: nothing to assemble" in capsys.readouterr().out


def _text(page):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.read_text()))


def _copy(folder, target):
    subprocess.run(["cp", "-a", str(folder), str(target)], check=True)
    return target


def _reseal(folder, **environment):
    """Write every record of ``folder`` again as if made in an environment with these values."""
    for path in folder.rglob(records.RUN):
        record = records.RunRecord.read(str(path.parent))
        record.environment = {**record.environment, **environment}
        record.write(str(path.parent))


def test_each_records_environment_is_on_the_consistency_page_and_in_the_manifest(made, tmp_path):
    legacy = _copy(made / "torch", tmp_path / "legacy")
    _reseal(legacy, numpy="1.23.5", python="3.11.0", platform="Darwin-arm64")
    out = tmp_path / "site"
    assert assemble.assemble([str(made / "numpy"), str(legacy)], out=str(out), log=_quiet) == []
    environments = json.loads((out / "outputs.json").read_text())["build"]["environments"]
    assert [e["numpy"] for e in environments["torch"]] == ["1.23.5"]
    assert [e["numpy"] for e in environments["numpy"]] == [records.distribution_version("numpy")]
    page = _text(out / "consistency.html")
    ours = records.environment("numpy")
    assert (f"NumPy {ours['framework']} {ours['numpy']} {ours['python']} {ours['platform']} 3" in page)
    assert re.search(r"PyTorch torch==\S+ 1\.23\.5 3\.11\.0 Darwin-arm64 2", page), page


def test_mixes_that_cannot_be_merged_are_refused_and_nothing_is_touched(made, tmp_path, capsys):
    out = tmp_path / "site"
    other_source = _copy(made / "torch", tmp_path / "other-source")
    marker = records.read_marker(str(other_source))
    marker["source"] = {**marker["source"], "d2l_optim/ops.py": "0" * 64, "d2l_optim/new.py": "1" * 64}
    records.write_sealed_json(str(other_source / records.MARKER), marker)
    other_script = _copy(made / "torch", tmp_path / "other-script")
    (other_script / "quick" / "section.py").write_text(QUICK + "print(2)\n")
    damaged = _copy(made / "torch", tmp_path / "damaged")
    (damaged / "quick" / "torch" / "line.svg").write_text("<svg/>")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    cases = [
        ([made / "numpy", other_source], "holds records made from another d2l-optim source than this one "
                                         "(they were made by d2l-optim 0.1.0, this is 0.1.0): "
                                         "d2l_optim/ops.py differs; d2l_optim/new.py is only in the "
                                         "records'"),
        ([made / "numpy", other_script], "ran different scripts of the section"),
        ([made / "torch", _copy(made / "torch", tmp_path / "again")], "on PyTorch is recorded twice"),
        ([made / "numpy", damaged], f"{damaged / 'quick/torch/line.svg'} changed since it was published: the "
                                    "record of quick on PyTorch is damaged"),
        ([made / "numpy", tmp_path / "mine"], "is not a folder of run records (neither it nor a folder in it "
                                              "has a records.json"),
        ([made / "numpy", tmp_path / "absent"], "is not a folder of run records"),
    ]
    for folders, message in cases:
        before = {folder: tree(folder) for folder in folders if folder.exists()}
        with pytest.raises(SystemExit) as raised:
            cli.main(["assemble", *map(str, folders), "--out", str(out)])
        error = capsys.readouterr().err
        assert raised.value.code == 2 and message in error, error
        assert not out.exists() and {folder: tree(folder) for folder in before} == before
    with pytest.raises(SystemExit) as raised:
        cli.main(["assemble", str(made / "numpy"), "--out", str(tmp_path / "mine")])
    error = capsys.readouterr().err
    assert raised.value.code == 2 and "is not empty and was not made by d2l-optim build" in error
    with pytest.raises(SystemExit) as raised:
        cli.main(["assemble", str(made / "numpy"), "--out", str(made / "numpy" / "site")])
    assert raised.value.code == 2 and "lies in the records folder" in capsys.readouterr().err


def test_a_parent_of_records_folders_is_read_as_all_of_them(made, tmp_path):
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    for name in ("numpy", "torch"):
        _copy(made / name, artifacts / f"records-{name}")
    (artifacts / ".records-torch.d2l-optim-lock").write_text("")  # hidden: not read
    out = tmp_path / "site"
    folders = [str(artifacts), str(artifacts / "records-numpy")]  # one given twice is read once
    assert assemble.assemble(folders, out=str(out), log=_quiet) == []
    assert sorted(json.loads((out / "outputs.json").read_text())["sections"]["quick"]) == ["numpy", "torch"]
    (artifacts / "notes.txt").write_text("a stray file")
    with pytest.raises(RecordsRefused, match=r"it holds notes\.txt, which is not records folders"):
        assemble.assemble([str(artifacts)], out=str(out), log=_quiet)


def test_a_working_site_is_never_replaced_by_a_worse_one(made, tmp_path, capsys):
    out = tmp_path / "site"
    assert assemble.assemble([str(made / "numpy"), str(made / "torch")], out=str(out), log=_quiet) == []
    (out / "CNAME").write_text("course.example.org\n")
    before = tree(out)
    with pytest.raises(SystemExit) as raised:
        cli.main(["assemble", str(made / "numpy"), "--out", str(out)])  # PyTorch's records left out
    error = capsys.readouterr().err
    assert raised.value.code == 1 and tree(out) == before
    assert ("these runs failed or have no record, and the published site shows them working, so it was left "
            "as it was:\n  quick on PyTorch: no record\n  explorer on PyTorch: no record") in error, error
    with plan.folder_locks([str(out)], log=_quiet):  # another build publishes into it
        with pytest.raises(SystemExit) as raised:
            cli.main(["assemble", str(made / "numpy"), str(made / "torch"), "--out", str(out), "--no-wait"])
    assert raised.value.code == 2 and "another d2l-optim build is publishing into" in capsys.readouterr().err
    assert tree(out) == before and [p for p in os.listdir(tmp_path) if p.startswith(".")] == []


def test_records_are_a_cache_and_keep_other_runs(made, tmp_path):
    folder = _copy(made / "numpy", tmp_path / "records")
    messages = []
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "quick.py").write_text(QUICK)
    assert pipeline.build(records=str(folder), backends=["numpy"], source_dir=str(sources), progress=False,
                          log=messages.append) == []
    assert messages == [f"{folder} is up to date: nothing to run"]
    (sources / "quick.py").write_text(QUICK.replace("one line", "two lines"))
    explorer_before = (folder / "explorer" / "numpy" / records.RUN).read_text()
    messages.clear()
    assert pipeline.build(records=str(folder), backends=["numpy"], source_dir=str(sources), progress=False,
                          log=messages.append) == []
    assert "1 of 2 runs to do (1 cached), 2 at a time" in messages  # the edited section, not the explorer
    assert (folder / "explorer" / "numpy" / records.RUN).read_text() == explorer_before
    assert sorted(os.listdir(folder)) == ["explorer", "other", "quick", "records.json"]  # other kept
    assert records.RunRecord.read(str(folder / "quick" / "numpy")).stdout == "two lines\n"
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == []  # lock and staging gone


def test_records_go_only_into_a_folder_the_build_made(tmp_path, capsys):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "quick.py").write_text(QUICK)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.txt").write_text("three years")
    site = tmp_path / "site"
    site.mkdir()
    (site / plan.MARKER).write_text("{}")
    for folder, message in ((mine, "is not empty and was not made by d2l-optim build --records (it has no "
                                   "records.json file)"),
                            (site, "is not empty and was not made by d2l-optim build --records"),
                            (sources, "is or contains the --sources folder")):
        before = tree(folder)
        with pytest.raises(SystemExit) as raised:
            cli.main(["build", "--records", str(folder), "--sources", str(sources), "--backends", "numpy"])
        error = capsys.readouterr().err
        assert raised.value.code == 2 and message in error, error
        assert tree(folder) == before
    with pytest.raises(SystemExit) as raised:
        cli.main(["build", "--records", str(tmp_path / "r"), "--out", str(tmp_path / "s")])
    assert raised.value.code == 2 and "not allowed with argument" in capsys.readouterr().err
