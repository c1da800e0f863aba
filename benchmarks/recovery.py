"""Hypergraph recovery benchmark: the experiments of Chen et al. (ICML 2024), measured.

For each setting (a world family and size) and each sample count N (10^3 ..
10^5), draw N hyperedge samples through a random bijection, recover the
weighted hypergraph with every estimator - ``count`` (empirical frequencies),
``masked_paper`` (masked model + BFS ratio chaining) and ``masked_global``
(same model, all log-ratio equations by least squares) - and report the
weighted L1 error ``sum_e |w_e - ŵ_e|`` averaged over seeded repeats, the
ratios masked/count, and the fitted log-log slope of error against N
(``-0.5`` is the parametric rate). Settings sweep the line-graph diameter L
(STAR 1, X 9, CHAIN 18; n = 20), the weight ratio kappa (STAR, weights from
{1, kappa}), the size n (connected G(n, m), m = 0.2 n(n-1)/2, weights {1, 3})
and a 3-uniform hypergraph. A second table aligns two modalities of one world
by Gromov-Wasserstein on the recovered structure alone and reports hits@1 and
hits@1 up to automorphism (1-WL classes). One extra row measures the generic
CBOW model (``align.model.MaskedHypergraphModel``) under the same readouts.

Usage::

    python benchmarks/recovery.py [--quick] [--out DIR]

Writes ``DIR/recovery_benchmark.json`` and PNG plots (default DIR:
``recovery_results``). ``--quick`` runs a reduced grid (< 2 min on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from align.hypergraph import (METHODS, alignment_accuracy, automorphism_classes, estimate,  # noqa: E402
                              fit_masked, gw_align, l1_weighted, line_graph_diameter,
                              make_hypergraph, sample_hyperedges, sample_modalities)

log = logging.getLogger("benchmarks.recovery")


def settings(quick: bool):
    """(label, group, family, n, extra) tuples."""
    out = [("STAR L=1", "L", "star", 20, {}), ("X L=9", "L", "x", 20, {}),
           ("CHAIN L=18", "L", "chain", 20, {})]
    out += [(f"STAR kappa={k}", "kappa", "star-kappa", 20, {"kappa": float(k)})
            for k in ((1, 3) if quick else (1, 2, 3))]
    out += [(f"GNM n={n}", "n", "gnm", n, {}) for n in ((10, 50) if quick else (10, 20, 50, 100, 200))]
    if not quick:
        out += [("3-UNIFORM n=30", "hyper", "kuniform", 30, {"k": 3})]
    return out


def run_setting(family, n, extra, Ns, reps, seed=0):
    world = make_hypergraph(family, n=n, seed=seed, **extra)
    errs = {m: np.zeros((len(Ns), reps)) for m in METHODS}
    for a, N in enumerate(Ns):
        for r in range(reps):
            smp, bij = sample_hyperedges(world, int(N), seed=[seed, a, r])
            truth = world.relabel(bij)
            fitted = fit_masked(smp, seed=r)
            for m in METHODS:
                errs[m][a, r] = l1_weighted(truth, estimate(smp, method=m, model=fitted))
    return world, errs


def slope(Ns, y):
    return float(np.polyfit(np.log(Ns), np.log(y), 1)[0])


def run_alignment(family, n, Ns, reps, seed=0):
    world = make_hypergraph(family, n=n, seed=seed)
    classes = automorphism_classes(world)
    acc = np.zeros((len(Ns), reps, 2))
    for a, N in enumerate(Ns):
        for r in range(reps):
            views = sample_modalities(world, int(N), seed=[seed, a, r, 7])
            rec = [estimate(s, method="masked_global", seed=r) for s, _ in views]
            res = alignment_accuracy(gw_align(rec[0], rec[1], seed=r), views[0][1], views[1][1], classes)
            acc[a, r] = res["hits@1"], res["hits@1_up_to_automorphism"]
    return int(len(np.unique(classes))), acc.mean(1)


def cbow_row(Ns_point, reps):
    world = make_hypergraph("gnm", n=20, seed=0)
    out = {m: [] for m in METHODS}
    t0 = time.perf_counter()
    for r in range(reps):
        smp, bij = sample_hyperedges(world, Ns_point, seed=[0, 99, r])
        truth = world.relabel(bij)
        out["count"].append(l1_weighted(truth, estimate(smp, method="count")))
        fitted = fit_masked(smp, model="cbow", seed=r, dim=32, epochs=20, lr=0.02)
        for m in METHODS[1:]:
            out[m].append(l1_weighted(truth, estimate(smp, method=m, model=fitted, threshold=1e-2)))
    return {m: float(np.mean(v)) for m, v in out.items()}, time.perf_counter() - t0


def plot(results, Ns, out_dir: Path, align_rows, align_Ns):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = sorted({r["group"] for r in results}, key=["L", "kappa", "n", "hyper"].index)
    fig, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups), 3.6), squeeze=False)
    styles = {"count": "-", "masked_paper": ":", "masked_global": "--"}
    for ax, g in zip(axes[0], groups):
        rows = [r for r in results if r["group"] == g]
        colors = plt.cm.viridis(np.linspace(0, 0.9, len(rows)))
        for r, c in zip(rows, colors):
            for m in METHODS:
                ax.loglog(Ns, r["error"][m], styles[m], color=c, marker=".",
                          label=f"{r['setting']} {m}" if m == "count" else None)
        ref = rows[0]["error"]["count"][0] * (np.asarray(Ns) / Ns[0]) ** -0.5
        ax.loglog(Ns, ref, color="grey", lw=0.8, label="N^-1/2")
        ax.set_title(f"sweep over {g}  (- count, : paper, -- global)", fontsize=8)
        ax.set_xlabel("samples N")
        ax.set_ylabel("weighted L1 error")
        ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(out_dir / "recovery_error_vs_N.png", dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5, 3.6))
    for row in align_rows:
        line, = ax.semilogx(align_Ns, row["hits@1"], marker="o", label=f"{row['setting']} hits@1")
        ax.semilogx(align_Ns, row["hits@1_up_to_automorphism"], "--", color=line.get_color(),
                    label=f"{row['setting']} up to aut.")
    ax.set_xlabel("samples N per modality")
    ax.set_ylabel("accuracy")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize=6)
    ax.set_title("GW alignment from recovered structure only", fontsize=9)
    fig.tight_layout()
    fig.savefig(out_dir / "alignment_vs_N.png", dpi=120)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="reduced grid (< 2 min)")
    ap.add_argument("--out", default="recovery_results", help="output directory")
    args = ap.parse_args(argv)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    Ns = [1000, 10000, 100000] if args.quick else [1000, 3000, 10000, 30000, 100000]
    reps = 2 if args.quick else 4
    t_all = time.perf_counter()

    results = []
    print(f"Recovery: weighted L1 error sum_e |w_e - w^_e| at N = {Ns[-1]}, mean of {reps} seeds; "
          f"slope = log-log fit over N in {Ns}")
    head = (f"{'setting':<16} {'L':>3} {'|E|':>5} {'count':>8} {'paper':>8} {'global':>8} "
            f"{'pap/cnt':>7} {'glb/cnt':>7} {'pap/glb':>7} {'s_cnt':>6} {'s_pap':>6} {'s_glb':>6} "
            f"{'wall_s':>7} {'peakMB':>7}")
    print(head)
    print("-" * len(head))
    for label, group, family, n, extra in settings(args.quick):
        tracemalloc.start()
        t0 = time.perf_counter()
        world, errs = run_setting(family, n, extra, Ns, reps)
        wall = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        mean = {m: errs[m].mean(1) for m in METHODS}
        row = {"setting": label, "group": group, "family": family, "n": n, **extra,
               "L": line_graph_diameter(world), "n_edges": len(world), "Ns": Ns, "reps": reps,
               "error": {m: mean[m].tolist() for m in METHODS},
               "slope": {m: slope(Ns, mean[m]) for m in METHODS},
               "ratio_to_count": {m: (mean[m] / mean["count"]).tolist() for m in METHODS[1:]},
               "wall_s": wall, "tracemalloc_peak_mb": peak}
        results.append(row)
        e = {m: mean[m][-1] for m in METHODS}
        print(f"{label:<16} {row['L']:>3} {len(world):>5} {e['count']:>8.4f} {e['masked_paper']:>8.4f} "
              f"{e['masked_global']:>8.4f} {e['masked_paper'] / e['count']:>7.2f} "
              f"{e['masked_global'] / e['count']:>7.2f} {e['masked_paper'] / e['masked_global']:>7.2f} "
              f"{row['slope']['count']:>6.3f} {row['slope']['masked_paper']:>6.3f} "
              f"{row['slope']['masked_global']:>6.3f} {wall:>7.1f} {peak:>7.1f}", flush=True)

    cbow = None
    if not args.quick:
        cb, wall = cbow_row(10000, 2)
        cbow = {"setting": "GNM n=20, N=10^4, CBOW model", "error": cb, "wall_s": wall}
        print(f"{'GNM n=20 CBOW':<16} {'':>3} {'':>5} {cb['count']:>8.4f} {cb['masked_paper']:>8.4f} "
              f"{cb['masked_global']:>8.4f} {cb['masked_paper'] / cb['count']:>7.2f} "
              f"{cb['masked_global'] / cb['count']:>7.2f} {cb['masked_paper'] / cb['masked_global']:>7.2f} "
              f"{'(N=10^4, align.model.MaskedHypergraphModel dim 32, 20 epochs)':>20} {wall:>5.1f}")

    align_Ns = [1000, 10000, 100000] if args.quick else [1000, 3000, 10000, 30000, 100000]
    align_worlds = [("STAR n=20", "star", 20), ("X n=20", "x", 20), ("CHAIN n=20", "chain", 20),
                    ("GNM n=20", "gnm", 20), ("GNM n=50", "gnm", 50)]
    if args.quick:
        align_worlds = [align_worlds[0], align_worlds[3]]
    areps = 2 if args.quick else 3
    print()
    print(f"Alignment of two modalities by GW on recovered structure (no seeds, no features), "
          f"mean of {areps} seeds: hits@1 / hits@1 up to automorphism")
    print(f"{'world':<12} {'classes':>7} " + " ".join(f"{'N=' + format(N, '.0e'):>11}" for N in align_Ns))
    align_rows = []
    for label, family, n in align_worlds:
        t0 = time.perf_counter()
        n_classes, acc = run_alignment(family, n, align_Ns, areps)
        align_rows.append({"setting": label, "family": family, "n": n, "classes": n_classes,
                           "Ns": align_Ns, "hits@1": acc[:, 0].tolist(),
                           "hits@1_up_to_automorphism": acc[:, 1].tolist(),
                           "wall_s": time.perf_counter() - t0})
        print(f"{label:<12} {n_classes:>7} " + " ".join(f"{a:>5.2f}/{b:<5.2f}" for a, b in acc), flush=True)

    total = time.perf_counter() - t_all
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\ntotal wall {total:.1f} s, process peak RSS {maxrss:.0f} MB")
    plot(results, Ns, out_dir, align_rows, align_Ns)
    doc = {"quick": args.quick, "Ns": Ns, "reps": reps, "recovery": results, "cbow": cbow,
           "alignment": align_rows, "total_wall_s": total, "peak_rss_mb": maxrss}
    tmp = out_dir / "recovery_benchmark.json.tmp"
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    os.replace(tmp, out_dir / "recovery_benchmark.json")
    print(f"wrote {out_dir}/recovery_benchmark.json, recovery_error_vs_N.png, alignment_vs_N.png")


if __name__ == "__main__":
    main()
