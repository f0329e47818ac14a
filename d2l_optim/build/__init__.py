"""The course build (``d2l-optim build``, ``d2l-optim assemble``), in layers that import only
downwards:

- :mod:`~d2l_optim.build.errors` — the build's errors, named by their exit status;
- the run side, whose code runs inside a run or makes its record (a record's source, see
  :data:`~d2l_optim.build.records.RUN_SIDE`): :mod:`~d2l_optim.build.bounds` (what a run may print
  and save, and the life of every process the build starts, tied to the build's),
  :mod:`~d2l_optim.build.published` (a run's text cleaned of the machine's folders, its names plain),
  :mod:`~d2l_optim.build.runner` (one section on one backend, as a notebook, in its own process),
  :mod:`~d2l_optim.build.explorer` (the optimizer explorer's paths on one backend) and
  :mod:`~d2l_optim.build.figure_export` (figures for slides, and the attribution they and the site
  carry). What the sections themselves use, a script's cells (:mod:`d2l_optim.cells`) and the one
  tolerance policy (:mod:`d2l_optim.compare`), is library code: the build imports the library,
  never the reverse;
- :mod:`~d2l_optim.build.records` — run records and records folders: what a run left, its
  environment and source, sealed;
- :mod:`~d2l_optim.build.plan` — what to run, the folders' safety and locks, cache keys;
- :mod:`~d2l_optim.build.run` — the run processes, signals, timeouts;
- :mod:`~d2l_optim.build.editions` (a section's notebook in the instructor, student and otter-grader
  editions), :mod:`~d2l_optim.build.checker` (``d2l-optim check``) and
  :mod:`~d2l_optim.build.slides` (``d2l-optim figures``) — the course's material for teaching;
- :mod:`~d2l_optim.build.explorer_page`, :mod:`~d2l_optim.build.theme` (the Sphinx configuration,
  footer, stylesheets, the MathJax subset and the API reference page) and
  :mod:`~d2l_optim.build.site` — the pages, of either edition;
- :mod:`~d2l_optim.build.assemble` — :func:`~d2l_optim.build.assemble.assemble`: one site from the
  records of many environments (the consistency check, the publishing, which the build shares);
- :mod:`~d2l_optim.build.pipeline` — :func:`~d2l_optim.build.pipeline.build`: the runs of this
  environment, recorded, then published.
"""
