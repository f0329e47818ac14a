"""Running a section example as a script or as a notebook.

``python examples/gd.py --backend mxnet --out DIR`` runs the section on MXNet and saves its
figures as SVG (for the web) and PNG (for slides) into DIR, with the data each one plots in
``DIR/figure-data.json`` (so that runs on different backends can be compared). In a notebook the
same code picks the backend from ``D2L_OPTIM_BACKEND`` and shows the figures inline.
"""
import argparse
import json
import os
import sys

from d2l_optim import _config, plotting


class Section:
    """A section's run: the backend it uses and where its figures go.

    Command-line options (``sys.argv``; unknown ones, such as a Jupyter kernel's, are ignored):
    ``--backend NAME`` (default: ``D2L_OPTIM_BACKEND`` or numpy) and ``--out DIR`` (default:
    ``D2L_OPTIM_OUT``, which the course build sets; without either, figures are only shown).
    """

    def __init__(self, name, argv=None):
        parser = argparse.ArgumentParser(prog=f"examples/{name}.py",
                                         description=f"Run the {name} section of the chapter.")
        parser.add_argument("--backend", default=None,
                            help="numpy (default), torch, tensorflow or mxnet")
        parser.add_argument("--out", default=None,
                            help="folder to save the figures into (SVG and PNG)")
        args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
        self.name = name
        self.backend = _config.set_backend(args.backend or _config.get_backend())
        self.out = args.out or os.environ.get("D2L_OPTIM_OUT")
        if self.out:
            os.makedirs(self.out, exist_ok=True)
        self.figures, self._encoded = {}, {}

    def save(self, figure, name):
        """Save a figure (or Axes, or Animator) as ``<out>/<name>.svg`` and ``.png`` when ``--out`` was given.

        Saving under a name again (re-running a notebook cell) replaces that figure.
        """
        self.figures[name] = plotting.figure_data(figure)
        if self.out:
            for suffix in (".svg", ".png"):
                plotting.save_figure(figure, os.path.join(self.out, name + suffix))
            # each figure's data is encoded once: the file is rewritten at every save
            self._encoded[name] = json.dumps(self.figures[name])
            with open(os.path.join(self.out, "figure-data.json"), "w") as file:
                entries = (f"{json.dumps(key)}: {text}" for key, text in self._encoded.items())
                file.write("{" + ", ".join(entries) + "}")
            if plotting.in_notebook():  # show the saved SVG, tagged so the course build finds it
                from IPython.display import SVG, display

                # an Animator's live display is replaced, so the figure is shown once
                handle = getattr(figure, "display_handle", None)
                show = display if handle is None else handle.update
                show(SVG(filename=os.path.join(self.out, f"{name}.svg")),
                     metadata={"d2l_optim": {"figure": name}})
            plotting.close(figure)
        return figure
