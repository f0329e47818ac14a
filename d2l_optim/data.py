"""The airfoil data set, shipped inside the package, and minibatches of the active backend's
tensors (book: ``DATA_HUB``, ``DATA_URL``, ``download``, ``load_array``, ``get_data_ch11``).

Nothing is downloaded: ``download`` resolves the book's names and URLs to the files in
``d2l_optim/datasets/`` (see the README there for their source and licence). A shuffled loader
draws one permutation per pass from the shared seeded generator (``d2l.seed``), so every backend
sees the same minibatches in the same order.
"""
import functools
import hashlib
import math
import os

import numpy as np

from d2l_optim import _config, ops
from d2l_optim._checks import check_count, is_whole_number

DATA_URL = "http://d2l-data.s3-accelerate.amazonaws.com/"
#: the book's data sets: name -> (URL, SHA-1); each ships with the package under the URL's file name
DATA_HUB = {"airfoil": (DATA_URL + "airfoil_self_noise.dat", "76e5be1548fd8222e5074cf0faae75edff8cf93f")}
DATASETS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "datasets")


def download(url, folder="../data", sha1_hash=None):
    """The local path of a data set that ships with d2l-optim, checked against its SHA-1.

    ``url`` is a name of :data:`DATA_HUB` (``"airfoil"``) or a URL or file name ending in a shipped
    file's name; the hash is ``sha1_hash`` or the one :data:`DATA_HUB` records. Nothing is ever
    downloaded or written: ``folder``, the book's download cache, is accepted and not used.
    """
    known = {os.path.basename(u): h for u, h in DATA_HUB.values()}
    if url in DATA_HUB:
        url, sha1_hash = DATA_HUB[url][0], sha1_hash or DATA_HUB[url][1]
    name = os.path.basename(str(url))
    if name not in known:
        raise ValueError(f"download: nothing is downloaded, and {url!r} is not a data set that ships "
                         f"with d2l-optim; use one of {sorted(DATA_HUB)} (files {sorted(known)})")
    path = os.path.join(DATASETS_DIR, name)
    with open(path, "rb") as file:
        digest = hashlib.sha1(file.read()).hexdigest()
    expected = sha1_hash or known[name]
    if digest != expected:
        raise ValueError(f"download: the shipped {path} has SHA-1 {digest}, expected {expected}; "
                         "reinstall d2l-optim")
    return path


class ArrayLoader:
    """Minibatches ``(X, y, ...)`` of equally long arrays, as tensors of the active backend.

    ``len(loader)`` is the number of minibatches per pass (the last one may be smaller). A
    shuffled loader draws a new permutation from the shared seeded generator at every pass.
    """

    def __init__(self, arrays, batch_size, shuffle):
        self.arrays, self.batch_size, self.shuffle = arrays, batch_size, shuffle
        self.num_examples = len(arrays[0])

    def __len__(self):
        return math.ceil(self.num_examples / self.batch_size)

    def __iter__(self):
        order = (_config.rng().permutation(self.num_examples) if self.shuffle
                 else np.arange(self.num_examples))
        for start in range(0, self.num_examples, self.batch_size):
            rows = order[start:start + self.batch_size]
            yield tuple(_as_tensor(array[rows]) for array in self.arrays)

    def whole(self):
        """All the examples, in their stored order, as one batch of tensors."""
        return tuple(_as_tensor(array) for array in self.arrays)


def _as_tensor(array):
    """Numbers as a tensor of the active backend: floats as floatx, integers (labels) as int64."""
    if array.dtype.kind == "f":
        return ops.tensor(array)
    return _config.current().from_numpy(array.astype(np.int64))


def load_array(data_arrays, batch_size, is_train=True):
    """Minibatches of ``batch_size`` examples from ``data_arrays`` (features, labels, ...),
    shuffled at every pass when ``is_train``. Arrays may be NumPy arrays or tensors of any
    backend; their values must be finite numbers. Float arrays give tensors of the default float
    dtype (:func:`d2l_optim.floatx`), integer arrays (class labels) int64 tensors."""
    arrays = []
    for i, data in enumerate(data_arrays):
        array = np.asarray(ops.numpy(data))
        if array.dtype.kind not in "fiu" or array.ndim == 0:
            raise ValueError(f"load_array: array {i} must hold numbers, one row per example; "
                             f"got {array.dtype} data of shape {array.shape}")
        if not np.isfinite(array).all():
            raise ValueError(f"load_array: array {i} holds non-finite values (nan or inf) in rows "
                             f"{np.flatnonzero(~np.isfinite(array.reshape(len(array), -1)).all(1))[:5]}"
                             "...; clean or drop them first")
        arrays.append(array)
    if not arrays or len({len(a) for a in arrays}) != 1:
        raise ValueError(f"load_array: expected arrays with one row per example, all equally long; "
                         f"got lengths {[len(a) for a in arrays]}")
    count = len(arrays[0])
    if not (is_whole_number(batch_size) and 1 <= batch_size <= count):
        raise ValueError(f"load_array: batch_size must be a whole number from 1 to the number of "
                         f"examples, {count}; got {batch_size!r}")
    if not isinstance(is_train, bool):
        raise TypeError(f"load_array: is_train must be True or False, got {is_train!r}")
    return ArrayLoader(tuple(arrays), batch_size, is_train)


@functools.cache
def _airfoil():
    """The airfoil data as float32, every column standardised to mean 0 and population std 1."""
    data = np.genfromtxt(download("airfoil"), dtype=np.float32, delimiter="\t")
    data = (data - data.mean(axis=0)) / data.std(axis=0)
    data.setflags(write=False)
    return data


def get_data_ch11(batch_size=10, n=1500):
    """The airfoil minibatches and their feature count: ``(data_iter, 5)``.

    Every column (the 5 features and the target, the sound level) is standardised over all 1503
    rows; the first ``n`` rows are kept, shuffled anew at every pass.
    """
    data = _airfoil()
    check_count("n", n)
    if n > len(data):
        raise ValueError(f"get_data_ch11: n must be at most {len(data)} (the airfoil rows), got {n}")
    return load_array((data[:n, :-1], data[:n, -1]), batch_size, is_train=True), data.shape[1] - 1
