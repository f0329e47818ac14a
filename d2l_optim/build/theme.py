"""What every page of the course site shares: the Sphinx configuration, the footer with the book's
and the data's attribution (the text the figures for slides carry too,
:mod:`~d2l_optim.build.figure_export`), the stylesheets (the site's, and ``print.css``: a page printed
with the browser is a handout), the MathJax files the pages load, and the API reference page.

MathJax is served from the site itself (the pages read offline), and only the parts the pages
use are published: the combined TeX-to-CommonHTML component ``tex-chtml.js`` (TeX input with its
common packages, the HTML output, the menu), the web fonts that output loads, and the TeX
extensions its autoloader fetches for rarer macros (about 2 MB instead of the package's 24 MB).
"""
import html
import importlib.util
import inspect
import os
import shutil

from d2l_optim import _registry
from d2l_optim.backend_api import CONCERNS, Facts, Identity
from d2l_optim.build import figure_export

CONF = '''\
project = "Optimization Algorithms, on every framework"
author = "d2l-optim"
copyright = "the d2l-optim authors"
extensions = ["myst_parser", "sphinx_design", "sphinx.ext.mathjax", "sphinx.ext.autodoc",
              "sphinx.ext.napoleon"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
mathjax_path = "mathjax/tex-chtml.js"
html_theme = "furo"
html_title = "Optimization Algorithms · d2l-optim"
html_static_path = ["_static"]
html_css_files = ["d2l-optim.css", "print.css"]
templates_path = ["_templates"]
html_copy_source = False
html_show_sourcelink = False
html_show_sphinx = False
autodoc_member_order = "bysource"
suppress_warnings = ["myst.header"]
'''

#: the MathJax files (relative to its folder) that the pages load: the component, its fonts, and
#: the TeX extensions the autoloader may fetch
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions")

_LABELS = list(_registry.LABELS.values())
FRAMEWORKS = ", ".join(_LABELS[:-1]) + " and " + _LABELS[-1]
#: every data set the chapter uses, credited (Jinja2 prints the braces-free HTML as it is)
DATA_CREDITS = "; ".join(f'{html.escape(what)}, licensed <a href="{url}">{html.escape(licence)}</a>'
                         for what, (licence, url) in figure_export.DATA.values())
FOOTER = f'''\
{{% extends "!page.html" %}}
{{% block footer %}}
{{{{ super() }}}}
<div class="d2l-footer">
  <p>{html.escape(figure_export.BOOK)}: written once and run on {FRAMEWORKS}.</p>
  <p>Data: {DATA_CREDITS}.</p>
</div>
{{% endblock footer %}}
'''
#: the stylesheet of a printed page (the handout)
PRINT_CSS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "print.css")

STYLE = """\
.d2l-footer { margin-top: 1.5rem; font-size: var(--font-size--small--2);
  color: var(--color-foreground-muted); }
.d2l-footer p { margin: 0.4rem 0; }
p.d2l-same { margin: 0.2rem 0 0.4rem; font-size: var(--font-size--small);
  color: var(--color-foreground-muted); }
img.d2l-figure { display: block; max-width: 100%; height: auto; margin: 0.5rem 0; }
"""

#: the API reference page: (heading, the modules whose public names of ``d2l_optim`` it lists)
API_GROUPS = (
    ("Tensor operations (the shim)", ("d2l_optim.ops",)),
    ("Backends and precision", ("d2l_optim._config", "d2l_optim.errors")),
    ("Optimizers", ("d2l_optim.optimizers",)),
    ("Learning-rate schedules", ("d2l_optim.schedules",)),
    ("Traces on one- and two-dimensional objectives", ("d2l_optim.traces",)),
    ("Training on the airfoil data", ("d2l_optim.training", "d2l_optim.concise", "d2l_optim.data")),
    ("A small network on the digits data", ("d2l_optim.cnn",)),
    ("Plotting", ("d2l_optim.plotting",)),
    ("Sections", ("d2l_optim.section",)),
)


def mathjax_folder():
    """The MathJax distribution that the ``sphinx-mathjax-offline`` package ships."""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    return os.path.join(spec.submodule_search_locations[0], "static", "mathjax")


def write_theme(src):
    """Into the page sources ``src``: the configuration, the footer, the stylesheets, MathJax's parts."""
    write_text(os.path.join(src, "conf.py"), CONF)
    write_text(os.path.join(src, "_templates", "page.html"), FOOTER)
    write_text(os.path.join(src, "_static", "d2l-optim.css"), STYLE)
    shutil.copy(PRINT_CSS, os.path.join(src, "_static", "print.css"))
    source = mathjax_folder()
    for part in MATHJAX_PARTS:
        target = os.path.join(src, "_static", "mathjax", part)
        if os.path.isdir(os.path.join(source, part)):
            shutil.copytree(os.path.join(source, part), target)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy(os.path.join(source, part), target)


def api_page():
    """The API reference (MyST): every public name of ``d2l_optim`` by topic, from its docstring,
    then the interface each backend implements."""
    import d2l_optim

    public = [name for name in sorted(vars(d2l_optim)) if not name.startswith("_")]
    parts = ["# API reference\n",
             "Everything `import d2l_optim as d2l` gives, from the docstrings. Each function works on the "
             "active backend (`d2l.set_backend`) and returns that framework's tensors.\n"]
    listed = {module for _, modules in API_GROUPS for module in modules}
    others = {getattr(d2l_optim, name).__module__ for name in public
              if _defined_in(getattr(d2l_optim, name), None)} - listed
    for heading, modules in API_GROUPS + (("Other helpers", tuple(others)),) * bool(others):
        names = [name for name in public if _defined_in(getattr(d2l_optim, name), modules)]
        parts.append(f"## {heading}\n")
        parts.append(_rst(*(_autodoc(f"d2l_optim.{name}", inspect.isclass(getattr(d2l_optim, name)))
                            for name in names)))
    parts.append("## Objectives\n")
    parts.append(_rst(".. automodule:: d2l_optim.objectives\n   :members:"))
    parts.append("## The backend interface\n\nWhat each backend package (`d2l_optim.backends.<name>`, "
                 "or another distribution's, registered under the entry points `d2l_optim.backends`) "
                 "provides, module by module: its identity in `__init__`, its facts in `facts`, and "
                 + ", ".join(f"`{module}` ({protocol.__name__})" for module, protocol in CONCERNS.items())
                 + ".\n")
    parts.append(_rst(*(_autodoc(f"d2l_optim.backend_api.{protocol.__name__}", True)
                        for protocol in (Identity, Facts, *CONCERNS.values()))))
    return "\n".join(parts)


def _autodoc(target, is_class):
    return f".. autoclass:: {target}\n   :members:" if is_class else f".. autofunction:: {target}"


def _rst(*directives):
    """A MyST block of reStructuredText (autodoc writes reStructuredText)."""
    return "```{eval-rst}\n" + "\n\n".join(directives) + "\n```\n"


def _defined_in(value, modules=None):
    """Whether ``value`` is a function or class of one of ``modules`` (None: of any)."""
    return (inspect.isfunction(value) or inspect.isclass(value)) and (modules is None
                                                                      or value.__module__ in modules)


def write_text(path, text):
    """Write ``text`` to ``path`` (UTF-8), making its folder first."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
