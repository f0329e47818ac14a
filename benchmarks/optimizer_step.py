"""Cost of the shim: d2l-optim's Adam step against a hand-written native loop, per backend.

    python benchmarks/optimizer_step.py [--backends numpy torch ...] [--size 100000] [--steps 200]

Each backend runs in its own process. Prints milliseconds per step for both (best of three runs,
after a warm-up) and their ratio (shim / native), the largest difference between their final
parameters, and the process's peak resident memory. The native loops are framework code on purpose:
they are the yardstick, and live here, outside the package.
"""
import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

BETA1, BETA2, EPS, LR = 0.9, 0.999, 1e-6, 0.01


def native_loop(backend, x0, g, steps):
    """Adam, hand-written in the framework; returns seconds per step."""
    if backend == "numpy":
        x, v, s = x0.copy(), np.zeros_like(x0), np.zeros_like(x0)
        ops = (np.sqrt,)
    elif backend == "torch":
        import torch

        x, g = torch.tensor(x0), torch.tensor(g)
        v, s, ops = torch.zeros_like(x), torch.zeros_like(x), (torch.sqrt,)
    elif backend == "tensorflow":
        import tensorflow as tf

        x, g = tf.constant(x0), tf.constant(g)
        v, s, ops = tf.zeros_like(x), tf.zeros_like(x), (tf.sqrt,)
    else:
        from mxnet import np as mnp
        from mxnet import npx

        npx.set_np()
        x, g = mnp.array(x0), mnp.array(g)
        v, s, ops = mnp.zeros_like(x), mnp.zeros_like(x), (mnp.sqrt,)
    (sqrt,) = ops
    start = time.perf_counter()
    for t in range(1, steps + 1):
        v = BETA1 * v + (1 - BETA1) * g
        s = BETA2 * s + (1 - BETA2) * g * g
        x = x - LR * (v / (1 - BETA1**t)) / (sqrt(s / (1 - BETA2**t)) + EPS)
    np.asarray(x[:1].asnumpy() if backend == "mxnet" else x[:1])  # wait for lazy engines
    return (time.perf_counter() - start) / steps, np.asarray(x.asnumpy() if backend == "mxnet" else x)


def shim_loop(backend, x0, g, steps):
    import d2l_optim as d2l

    with d2l.use_backend(backend):
        optimizer = d2l.adam(LR, BETA1, BETA2, EPS)
        params, grads = (d2l.tensor(x0),), (d2l.tensor(g),)
        state = optimizer.init(params)
        start = time.perf_counter()
        for _ in range(steps):
            params, state = optimizer.update(grads, state, params)
        final = d2l.numpy(params[0])
        return (time.perf_counter() - start) / steps, final


def measure(backend, size, steps):
    rng = np.random.default_rng(0)
    x0, g = rng.normal(size=size).astype(np.float32), rng.normal(size=size).astype(np.float32)
    native_loop(backend, x0, g, 50)  # warm up imports, kernels and allocators
    shim_loop(backend, x0, g, 50)
    native, x_native = min(native_loop(backend, x0, g, steps) for _ in range(3))
    shim, x_shim = min(shim_loop(backend, x0, g, steps) for _ in range(3))
    return {"backend": backend, "native": native, "shim": shim,
            "max_difference": float(np.max(np.abs(x_native - x_shim))),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=None)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.size, args.steps)))
        return
    import d2l_optim as d2l

    print(f"Adam, {args.size} float32 parameters, {args.steps} steps")
    header = ("backend", "native ms/step", "shim ms/step", "ratio", "max |Δx|", "peak MB")
    print("{:<11}{:>15}{:>14}{:>8}{:>11}{:>9}".format(*header))
    for backend in args.backends or d2l.available_backends():
        out = subprocess.run([sys.executable, __file__, "--one", backend, "--size", str(args.size),
                              "--steps", str(args.steps)], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{backend:<11}failed: {out.stderr.strip().splitlines()[-1]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{backend:<11}{r['native'] * 1e3:>15.3f}{r['shim'] * 1e3:>14.3f}"
              f"{r['shim'] / r['native']:>8.2f}{r['max_difference']:>11.1e}{r['peak_rss_mb']:>9.0f}")


if __name__ == "__main__":
    main()
