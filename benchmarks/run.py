"""Every benchmark of d2l-optim against hand-written framework code, in one table.

    python benchmarks/run.py [--quick] [--backends numpy torch ...] [--cases adam_2d ...]
                             [--repeats N] [--threads N] [--json results.json]

Cases: train_ch11 (one epoch on the airfoil data, batch 10, SGD), adam_2d (1000 autograd Adam
steps in 2-D, ``train_2d``), adam_step (one Adam update on 10, 10⁵ and 10⁷ float32 parameters, with
the peak memory an update needs, in copies of the parameters), cnn (one epoch of the digits LeNet),
import (``import d2l_optim`` and each backend's first use), build (``d2l-optim build --jobs 2``,
cold and warm). Each (case, backend) runs in a fresh process (adam_2d's compiled run in one more),
alternating d2l-optim and the hand-written loops of ``benchmarks/native_<backend>.py``: one written
the way the book writes it and, for adam_2d, a lean one (one parameter tensor updated in place, no
trace). It reports medians of CPU time (the build: wall time); ratio = d2l-optim / hand-written
(lower is better). ``--quick`` runs fewer steps and builds one section. The machine is shared: note
its load next to the figures.

Every process it starts runs in this folder, so the installed d2l_optim is measured even when the
script is started from the repository's root (whose source folder ``d2l_optim/`` is not the
installed package). A process that fails has its error printed, its row says so, and the script
exits with status 1.
"""
import argparse
import json
import os
import platform
import sys

import cases

#: glibc malloc keeps freed memory (below 32 MiB a block) instead of handing it back to the kernel
#: and faulting it in again: otherwise the page faults a step takes depend on the allocation history
#: of the process, not on the code, and decide the ratio (up to 4x on a 10^5 Adam step)
MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}


def run_child(args, *extra, oneDNN=True):
    """Run this script on one case and backend in a fresh process; its rows (``cases.ChildFailed``
    if it fails)."""
    command = [os.path.join(cases.HERE, "run.py"), "--repeats", str(args.repeats), *extra]
    environment = dict(os.environ, TF_ENABLE_ONEDNN_OPTS="1" if oneDNN else "0")
    out = cases.run_python(command + (["--quick"] if args.quick else []), environment)
    return json.loads(out.stdout.strip().splitlines()[-1])


def collect(args, backends):
    """The rows of every case asked for; a case that fails gives a row with its error (printed in
    full on stderr as it happens)."""
    rows = []

    def failed(case, backend, error):
        print(f"benchmark {case} on {backend} failed: {error}", file=sys.stderr, flush=True)
        rows.append(cases.row(case, "-", "-", backend, float("nan"), error=error.last_line))

    for case in args.cases:
        if case in cases.PROCESS_CASES:
            try:
                rows += cases.PROCESS_CASES[case](backends, args.quick, args.repeats)
            except cases.ChildFailed as error:
                failed(case, "+".join(backends), error)
            continue
        for backend in backends:
            try:
                found = run_child(args, "--child", case, backend)
                if case in cases.COMPILED_APART:
                    compiled = run_child(args, "--child", cases.COMPILED_APART[case], backend)
                    found[-1] = cases.with_compiled(found[-1], compiled)
                if case == "adam_step":
                    found[-1]["extra_copies"] = {
                        side: run_child(args, "--memory", backend, side, str(found[-1]["size"]), oneDNN=False)
                        for side in cases.SIDES}
            except cases.ChildFailed as error:
                failed(case, backend, error)
                continue
            rows += found
    return rows


def _ms(seconds):
    if seconds is None:
        return ""
    return f"{seconds * 1e3:.4g}" if seconds < 10 else f"{seconds * 1e3:.0f}"


def _ratio(value):
    return "" if value is None else f"{value:.2f}"


def table(rows):
    """The rows as a fixed-width text table (milliseconds per unit)."""
    header = ("case", "size", "backend", "per", "d2l-optim ms", "book-style ms", "ratio", "lean ms", "ratio",
              "compiled ms", "ratio", "max |Δ|", "extra copies")
    lines = [header]
    blank = ("",) * (len(header) - 5)
    for r in rows:
        copies = r.get("extra_copies")
        lines.append((r["case"], str(r["size"]), r["backend"], r["unit"], _ms(r["d2l"]), _ms(r["hand"]),
                      _ratio(r["ratio"]), _ms(r["lean"]), _ratio(r["lean_ratio"]), _ms(r["compiled"]),
                      _ratio(r["compiled_ratio"]),
                      "" if r["max_difference"] is None else f"{r['max_difference']:.1e}",
                      "" if not copies else " / ".join(f"{v:.1f}" for v in copies.values())))
        if r.get("error"):
            lines.append(("", "", "", "", "failed: " + r["error"][:80]) + blank)
        if r.get("heavy"):
            loads = ", ".join(f"{k} {v:.0f} ms" for k, v in r["heavy"].items())
            lines.append(("", "", "", "", "loads " + loads) + blank)
    widths = [max(len(line[i]) for line in lines if len(line[i]) < 30) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) if i < 4 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(line, widths))).rstrip()
                     for line in lines)


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                  if line.startswith("model name")), platform.processor())
    return {"cpu": model, "cores": os.cpu_count(), "load_average": list(os.getloadavg()),
            "python": platform.python_version()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", help="default: every installed backend")
    parser.add_argument("--cases", nargs="+", default=list(cases.CASES) + list(cases.PROCESS_CASES),
                        choices=list(cases.CASES) + list(cases.PROCESS_CASES))
    parser.add_argument("--quick", action="store_true", help="fewer steps, and build one section")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per side (default 5)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per framework (default 1: the figures compare across runs)")
    parser.add_argument("--json", metavar="PATH", help="also write the rows and the machine here")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "BACKEND"), help=argparse.SUPPRESS)
    parser.add_argument("--memory", nargs=3, metavar=("BACKEND", "SIDE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or args.memory:
        backend = args.child[1] if args.child else args.memory[0]
        cases.d2l.set_backend(backend)
        if args.child:
            case = {**cases.CASES, **cases.CHILD_CASES}[args.child[0]]
            print(json.dumps(case(backend, args.quick, args.repeats)))
        else:
            print(json.dumps(cases.step_memory(backend, args.memory[1], int(args.memory[2]))))
        return
    os.environ.update(MALLOC)
    for name in cases.d2l._registry.BACKENDS:  # each framework's thread count, as the build sets it
        os.environ.update(cases.d2l._registry.facts(name).run_environment(args.threads))
    backends = args.backends or cases.d2l.available_backends()
    rows = collect(args, [cases.d2l._config.canonical_name(b) for b in backends])
    info = machine()
    print(f"{info['cpu']}, {info['cores']} cores, load {info['load_average'][0]:.2f}; "
          f"median of {args.repeats} runs{', quick' if args.quick else ''}; ratio: d2l-optim to the "
          "hand-written loop on its left; extra copies: d2l / hand / compiled")
    print(table(rows))
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"machine": info, "quick": args.quick, "repeats": args.repeats, "rows": rows},
                      file, indent=1)
    if any(r.get("error") for r in rows):
        sys.exit("some benchmarks failed; their errors are printed above")


if __name__ == "__main__":
    main()
