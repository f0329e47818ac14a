"""Every Python snippet of the README runs as pasted, in a fresh process outside the checkout, and
prints the lines its comments promise."""
import os
import re
import subprocess
import sys

import pytest

from d2l_optim import _config
from helpers import ROOT

with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as _file:
    SNIPPETS = re.findall(r"^```python\n(.*?)^```", _file.read(), re.S | re.M)
BACKEND_NAMED = re.compile(r"""(?:set_backend|use_backend)\(["'](\w+)["']\)""")
PROMISED = re.compile(r"#\s*(epoch \d+, .*?)\s*$", re.M)  # "# epoch 10, x: -1.528166"


def test_the_readme_has_its_snippets():
    assert len(SNIPPETS) >= 5


@pytest.mark.parametrize("snippet", [
    pytest.param(snippet, marks=pytest.mark.needs_frameworks(
        *(_config.canonical_name(name) for name in BACKEND_NAMED.findall(snippet))))
    for snippet in SNIPPETS], ids=[f"snippet-{i + 1}" for i in range(len(SNIPPETS))])
def test_a_readme_snippet_runs_as_pasted(snippet, tmp_path):
    (tmp_path / "snippet.py").write_text(snippet, encoding="utf-8")
    environment = dict(os.environ, D2L_OPTIM_BACKEND="numpy", MPLBACKEND="Agg")
    environment.pop("D2L_OPTIM_OUT", None)
    result = subprocess.run([sys.executable, "snippet.py"], cwd=tmp_path, capture_output=True, text=True,
                            env=environment, timeout=300)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    for line in PROMISED.findall(snippet):
        assert line in printed, (line, printed)
    assert os.listdir(tmp_path) == ["snippet.py"]  # it wrote nothing
