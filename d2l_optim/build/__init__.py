"""The course build (``d2l-optim build``), in layers that import only downwards:

- :mod:`~d2l_optim.build.bounds` — what a run may print and save, and the life of every process
  the build starts, tied to the build's. It imports nothing of the build and runs inside sections
  too. (What the sections themselves use, a script's cells (:mod:`d2l_optim.cells`) and the one
  tolerance policy (:mod:`d2l_optim.compare`), is library code: the build imports the library,
  never the reverse.)
- :mod:`~d2l_optim.build.plan` — what to run, the output folder's safety and lock, cache keys;
- :mod:`~d2l_optim.build.runner` (one section on one backend, in its own process) and
  :mod:`~d2l_optim.build.run` (the runner processes, signals, timeouts);
- :mod:`~d2l_optim.build.explorer` — the optimizer explorer's paths, computed and checked on every
  backend, and its page;
- :mod:`~d2l_optim.build.published` — what of a run the site may publish: its text cleaned, its
  names plain;
- :mod:`~d2l_optim.build.theme` — the Sphinx configuration, footer, stylesheet, the MathJax subset
  and the API reference page;
- :mod:`~d2l_optim.build.site` — the pages;
- :mod:`~d2l_optim.build.pipeline` — :func:`build`, which puts them together.

``from d2l_optim.build import build`` loads the pipeline on first use, so importing ``bounds`` (as
every notebook kernel of the build does) stays light.
"""
_PIPELINE_NAMES = ("build", "BuildError", "BuildStopped", "UsageError")


def __getattr__(name):
    if name in _PIPELINE_NAMES:
        from d2l_optim.build import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'd2l_optim.build' has no attribute {name!r}")
