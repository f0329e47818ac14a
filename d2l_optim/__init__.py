"""d2l-optim: the "Optimization Algorithms" chapter of Dive into Deep Learning, written once and
run on every framework it has a backend for (NumPy, PyTorch, TensorFlow, MXNet, JAX, and any that
another distribution registers; see ``d2l_optim._registry``).

``import d2l_optim as d2l`` gives the book's helpers (``d2l.plot``, ``d2l.train_2d``,
``d2l.show_trace_2d``, ...) and a tensor-ops shim (``d2l.cos``, ``d2l.arange``, ``d2l.grad``, ...)
that runs on the active backend. Importing the package imports no framework and no matplotlib:
a backend's framework is loaded the first time that backend is used, and matplotlib the first time
something is drawn (or ``d2l.plt`` is read).
"""
from d2l_optim import objectives, optimizers, plotting, schedules
from d2l_optim._config import (
    available_backends,
    floatx,
    get_backend,
    install_hint,
    seed,
    set_backend,
    set_floatx,
    use_backend,
    use_floatx,
)
from d2l_optim.cnn import (
    LeNet,
    Trainer,
    accuracy,
    cross_entropy,
    evaluate_accuracy,
    load_data_digits,
    train,
)
from d2l_optim.concise import train_concise_ch11
from d2l_optim.data import DATA_HUB, DATA_URL, download, get_data_ch11, load_array
from d2l_optim.errors import BackendConflict, SecondDerivativeUnsupported
from d2l_optim.exercises import check
from d2l_optim.ops import (
    abs,
    arange,
    argmax,
    cast,
    conv2d,
    cos,
    cosh,
    dtype,
    exp,
    grad,
    hessian,
    int_tensor,
    is_tensor,
    linspace,
    log,
    log_softmax,
    logsumexp,
    matmul,
    max_pool2d,
    maximum,
    meshgrid,
    minimum,
    normal,
    numpy,
    one_hot,
    ones,
    pi,
    reduce_mean,
    reduce_sum,
    relu,
    reshape,
    shape,
    sign,
    sin,
    sinh,
    size,
    sqrt,
    square,
    stack,
    tan,
    tanh,
    tensor,
    to_float,
    value_and_grad,
    zeros,
    zeros_like,
)
from d2l_optim.optimizers import (
    Optimizer,
    State,
    adadelta,
    adagrad,
    adam,
    compile_update,
    momentum,
    rmsprop,
    sgd,
    training_step,
    with_gradient_noise,
    yogi,
)
from d2l_optim.plotting import (
    Animator,
    annotate,
    plot,
    save_figure,
    set_axes,
    set_figsize,
    show_lr_sweep,
    show_surface_3d,
    show_trace,
    show_trace_2d,
    show_traces_2d,
    use_svg_display,
)
from d2l_optim.schedules import (
    CosineScheduler,
    FactorScheduler,
    MultiFactorScheduler,
    SquareRootScheduler,
    constant_lr,
    exponential_lr,
    polynomial_lr,
)
from d2l_optim.section import Section
from d2l_optim.traces import Trace, gd, lr_sweep, newton, sweep_traces, train_2d
from d2l_optim.training import (
    Accumulator,
    Timer,
    Variable,
    evaluate_loss,
    linreg,
    squared_loss,
    train_ch11,
)

__version__ = "0.1.0"


def __getattr__(name):
    """``d2l.plt``: ``matplotlib.pyplot``, imported on first use."""
    if name == "plt":
        return plotting.pyplot()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
