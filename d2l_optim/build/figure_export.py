"""Figures for slides: each figure a section saves, exported as ``<name>.svg``, ``.png`` (300 dpi)
and ``.pdf``, on an opaque white background, with the attribution written under it; and the
attribution itself, the one text that the figures and the site's footer (:mod:`~d2l_optim.build.theme`)
both credit the book and the data with.

Two places export: the course build's runs on :data:`BACKEND` (in the notebook's kernel, into the
run's folder ``slides/``, so the site's download of the figures needs no second run), and
``d2l-optim figures`` (:mod:`~d2l_optim.build.slides`), which runs sections as scripts. Both hook
into :data:`d2l_optim.section.figure_hooks`, which is called with every figure a section saves.

This module runs inside a run (a record's source, :data:`~d2l_optim.build.records.RUN_SIDE`): it
imports nothing else of the build.
"""
import os

from d2l_optim import plotting

#: suffix -> dpi (a PNG's resolution; an SVG's and a PDF's text and lines are vectors)
FORMATS = {".svg": 150, ".png": 300, ".pdf": 150}
#: the backend whose runs export the figures for slides: every backend draws the same figures (the
#: consistency check compares them), and NumPy is in every installation
BACKEND = "numpy"
#: the folder of a run's exported figures
FOLDER = "slides"
#: the environment variables that tell the build's kernel to export, and with which attribution
FOLDER_VARIABLE, CREDIT_VARIABLE = "D2L_OPTIM_SLIDES", "D2L_OPTIM_SLIDES_CREDIT"

BOOK = ('d2l-optim, after "Optimization Algorithms" in Dive into Deep Learning '
        "(Zhang, Lipton, Li and Smola)")
CC_BY = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
#: what in a section's script uses a data set -> the data set, and its licence (name, address)
DATA = {
    "get_data_ch11": ("NASA airfoil self-noise (T. Brooks, D. Pope, M. Marcolini, 1989), UCI Machine "
                      "Learning Repository (id 291)", CC_BY),
    "load_data_digits": ("UCI Optical Recognition of Handwritten Digits (scikit-learn's copy)", CC_BY),
}


def attribution(source_text):
    """The lines written under each figure of a section whose script is ``source_text``: the
    book's credit, and ``Data: <data set>, <licence>`` for each data set it uses."""
    return "\n".join([BOOK] + [f"Data: {what}, {licence[0]}" for use, (what, licence) in DATA.items()
                               if use in source_text])


def export_figure(figure, base, credit):
    """Write ``figure`` (a Figure, an Axes or an Animator) as ``base`` + .svg, .png and .pdf, with
    the lines ``credit`` under it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = getattr(figure, "figure", figure)
    renderer = FigureCanvasAgg(figure).get_renderer()  # an Animator's figure has no canvas of its own
    bottom = figure.get_tightbbox(renderer).y0 / figure.get_figheight()  # below every label
    figure.text(0.0, bottom - 0.02, credit, transform=figure.transFigure, ha="left", va="top",
                fontsize=5, color="#444444", linespacing=1.3)
    for suffix, dpi in FORMATS.items():
        plotting.save_figure(figure, base + suffix, dpi=dpi)


def export_into(out_dir, credit):
    """From now on, export every figure a section of this process saves into ``out_dir``."""
    from d2l_optim import section

    os.makedirs(out_dir, exist_ok=True)
    section.figure_hooks.append(
        lambda figure, name: export_figure(figure, os.path.join(out_dir, name), credit))


def export_in_kernel():
    """In the build's kernel (run at its start): export the figures into the folder that
    :data:`FOLDER_VARIABLE` names, if the run sets it, with the attribution it gives."""
    folder = os.environ.get(FOLDER_VARIABLE)
    if folder:
        export_into(folder, os.environ.get(CREDIT_VARIABLE, BOOK))
