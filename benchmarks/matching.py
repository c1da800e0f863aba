"""Matching at scale: ours (FAISS top-k + sparse log-domain Sinkhorn) vs dense baselines, same run.

Question: how much time and memory does restricting OT to the candidate graph save, and what
does it cost in accuracy?

Workload: n left / n right entities with d=64 embeddings; the right side is a permuted, noisy copy
of the left (noise chosen so that plain nearest-neighbour Hits@1 is well below 1, leaving room for
OT's one-to-one constraint to help). For each n we measure, each in a fresh subprocess so peak RSS
is its own:

* ``ours``: block-wise exact FAISS top-k (both directions) + ``align.matching.sinkhorn``
  (``sparse_log``) + Hungarian decoding on the sparse plan;
* ``pot_log``: POT's dense ``ot.sinkhorn(method="sinkhorn_log")`` on the full ``n x n`` cost, then
  ``scipy.optimize.linear_sum_assignment`` on the dense plan (skipped above ``--max-dense-log``);
* ``pot``: POT's dense ``ot.sinkhorn`` (standard domain), same decoding.

Prints one table: wall seconds, peak RSS (MB), one-to-one accuracy, and ratios against ours.

    python benchmarks/matching.py [--sizes 1000 2000 5000] [--k 50] [--reg 0.05]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time

import numpy as np


def _problem(n, d=64, noise=2.0, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(np.float32)
    perm = rng.permutation(n)
    y = np.empty_like(x)
    y[perm] = x + noise * rng.standard_normal(x.shape).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    return x, y, perm


def _ours(n, k, reg, q):
    from align.matching import decode, knn, sinkhorn

    x, y, perm = _problem(n)
    t = time.perf_counter()
    fwd = knn(x, y, k=k)
    bwd = knn(y, x, k=k)
    r1, c1, _ = fwd.to_edges()
    r2, c2, _ = bwd.to_edges()
    rows, cols = np.concatenate([r1, c2]), np.concatenate([c1, r2])
    sim = np.einsum("ij,ij->i", x[rows], y[cols])
    a = np.full(n, 1.0 / n)
    res = sinkhorn(a, a, rows, cols, 1.0 - sim, reg=reg, num_iter_max=5000, warn=False)
    match = decode(res.rows, res.cols, res.plan, res.shape)
    wall = time.perf_counter() - t
    q.put({"wall": wall, "acc": float(np.mean(match == perm)), "nn": float(np.mean(fwd.ids[:, 0] == perm)),
           "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "iters": res.log["n_iter"]})


def _pot(n, method, reg, q):
    import ot
    from scipy.optimize import linear_sum_assignment

    x, y, perm = _problem(n)
    t = time.perf_counter()
    M = 1.0 - (x.astype(np.float64) @ y.T.astype(np.float64))
    a = np.full(n, 1.0 / n)
    P = ot.sinkhorn(a, a, M, reg, method=method, numItermax=5000, stopThr=1e-6)
    r, c = linear_sum_assignment(-np.log(np.maximum(P, 1e-300)))
    match = np.empty(n, dtype=np.int64)
    match[r] = c
    wall = time.perf_counter() - t
    q.put({"wall": wall, "acc": float(np.mean(match == perm)),
           "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def _measure(target, *args):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    out = q.get()
    p.join()
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    ap.add_argument("--k", type=int, default=50)
    ap.add_argument("--reg", type=float, default=0.05)
    ap.add_argument("--max-dense-log", type=int, default=2000,
                    help="largest n for POT's dense log-domain solver (it takes minutes at 5000)")
    ap.add_argument("--max-dense", type=int, default=5000)
    args = ap.parse_args(argv)

    header = (f"{'n':>6} {'method':<9} {'wall_s':>8} {'peak_MB':>8} {'acc':>6} "
              f"{'time/ours':>10} {'mem/ours':>9}")
    print(f"OT matching, d=64, k={args.k}, reg={args.reg}; acc = one-to-one accuracy; "
          "nearest-neighbour Hits@1 shown for reference")
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        ours = _measure(_ours, n, args.k, args.reg)
        print(f"{n:>6} {'ours':<9} {ours['wall']:>8.2f} {ours['rss']:>8.0f} {ours['acc']:>6.3f} "
              f"{1.0:>10.2f} {1.0:>9.2f}   (NN hits@1 {ours['nn']:.3f}, {ours['iters']} iters)", flush=True)
        for method, cap in (("sinkhorn_log", args.max_dense_log), ("sinkhorn", args.max_dense)):
            name = "pot_log" if method == "sinkhorn_log" else "pot"
            if n > cap:
                print(f"{n:>6} {name:<9} {'skipped (n > --max-dense' + ('-log' if name == 'pot_log' else '') + ')':>40}")
                continue
            r = _measure(_pot, n, method, args.reg)
            print(f"{n:>6} {name:<9} {r['wall']:>8.2f} {r['rss']:>8.0f} {r['acc']:>6.3f} "
                  f"{r['wall'] / ours['wall']:>10.2f} {r['rss'] / ours['rss']:>9.2f}", flush=True)


if __name__ == "__main__":
    main()
