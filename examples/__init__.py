"""The chapter's sections, in the book's order: each module is a script and a notebook at once
(jupytext percent format). Installed as ``d2l_optim.examples`` so that ``d2l-optim build`` finds
them; run one with ``python examples/gd.py --backend torch --out DIR``."""

SECTIONS = ("optimization_intro", "convexity", "gd", "sgd", "minibatch_sgd", "momentum", "adagrad",
            "rmsprop", "adadelta", "adam", "lr_scheduler")
