"""``d2l-optim figures``: every figure of a section as SVG, 300-dpi PNG and PDF under its stable
name, on a white background, with the book's and the data's attribution under it; the output
folder is the user's only when new, empty or made by the command; a failing section keeps its
earlier figures."""
import os
import shutil
import struct
import subprocess
import zlib

import matplotlib.image
import pytest

import d2l_optim as d2l
from d2l_optim.__main__ import main
from d2l_optim.build import figure_export, slides

SECTION = '''\
# %% [markdown]
# # Two figures
# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("two_figures")
# %%
import d2l_optim as d2l  # the airfoil data: d2l.get_data_ch11 (named only, not loaded)

# %% figures=["a-line"]
d2l.plot([0.0, 1.0, 2.0], [[0.0, 1.0, 4.0]], "x", "f(x)")

# %% figures=["an-animator"]
animator = d2l.Animator(xlabel="epoch", ylabel="loss", legend=["train"])
for epoch in range(3):
    animator.add(epoch, [1.0 / (epoch + 1)])
'''


def _sources(tmp_path, text=SECTION, name="two_figures"):
    folder = tmp_path / "sources"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(text)
    return folder


def _png_dpi(path):
    """The resolution a PNG declares (its pHYs chunk), in dots per inch."""
    data = path.read_bytes()
    at = data.index(b"pHYs")
    x_per_metre, y_per_metre, unit = struct.unpack(">IIB", data[at + 4:at + 13])
    assert unit == 1 and zlib.crc32(data[at:at + 13]) == struct.unpack(">I", data[at + 13:at + 17])[0]
    return round(x_per_metre * 0.0254)


def test_every_figure_is_exported_for_slides(tmp_path):
    out = tmp_path / "slides"
    assert main(["figures", "--out", str(out), "--sources", str(_sources(tmp_path))]) == 0
    folder = out / "two_figures"
    assert sorted(os.listdir(folder)) == sorted(f"{name}{suffix}" for name in ("a-line", "an-animator")
                                                for suffix in (".svg", ".png", ".pdf"))
    for name in ("a-line", "an-animator"):
        assert _png_dpi(folder / f"{name}.png") == 300
        pixels = matplotlib.image.imread(folder / f"{name}.png")
        assert pixels.shape[2] == 3 or (pixels[..., 3] == 1).all()  # opaque
        assert (pixels[0, 0, :3] == 1).all() and (pixels[-1, -1, :3] == 1).all()  # a white background
        assert (folder / f"{name}.pdf").read_bytes().startswith(b"%PDF")
        assert b"<svg" in (folder / f"{name}.svg").read_bytes()[:500]
        pdftotext = shutil.which("pdftotext")
        if pdftotext:
            text = subprocess.run([pdftotext, str(folder / f"{name}.pdf"), "-"], capture_output=True,
                                  text=True, check=True).stdout
            assert "Dive into Deep Learning" in " ".join(text.split())
            assert "NASA airfoil self-noise" in " ".join(text.split())


def test_the_attribution_sits_under_the_figure_and_names_the_data_the_section_uses(tmp_path):
    assert figure_export.attribution("print(1)") == figure_export.BOOK
    assert figure_export.attribution("d2l.load_data_digits(100)").endswith("scikit-learn's copy), CC BY 4.0")
    axes = d2l.plot([0.0, 1.0], [[0.0, 1.0]], "a long x label", "y")
    figure = axes.figure
    figure_export.export_figure(axes, str(tmp_path / "figure"), "line one\nline two")
    (credit,) = figure.texts
    assert credit.get_text() == "line one\nline two"
    renderer = figure.canvas.get_renderer()
    assert credit.get_window_extent(renderer).y1 <= axes.xaxis.label.get_window_extent(renderer).y0
    d2l.plt.close(figure)


def test_a_folder_of_other_files_is_refused_and_left_as_it_was(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit) as stopped:
        main(["figures", "--out", str(mine), "--sources", str(_sources(tmp_path))])
    assert stopped.value.code == 2 and "did not write" in capsys.readouterr().err
    assert os.listdir(mine) == ["notes.txt"]
    with pytest.raises(SystemExit) as stopped:
        main(["figures", "--out", str(tmp_path / "new"), "--sources", str(_sources(tmp_path)),
              "--sections", "nope"])
    assert stopped.value.code == 2 and "unknown section" in capsys.readouterr().err


def test_a_failing_section_keeps_its_earlier_figures(tmp_path, capsys):
    out = tmp_path / "slides"
    assert main(["figures", "--out", str(out), "--sources", str(_sources(tmp_path))]) == 0
    before = sorted(os.listdir(out / "two_figures"))
    broken = SECTION.replace('d2l.plot([0.0', 'raise RuntimeError("broken")\nd2l.plot([0.0')
    assert main(["figures", "--out", str(out), "--sources", str(_sources(tmp_path, broken))]) == 1
    assert "two_figures: failed, RuntimeError: broken" in capsys.readouterr().out
    assert sorted(os.listdir(out / "two_figures")) == before
    assert sorted(os.listdir(out)) == [slides.MARKER, "two_figures"]  # no staging folder left
