"""A self-contained HTML report (plots embedded as base64 PNG)."""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from .. import _io

__all__ = ["write_report"]


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _plots(result, model):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    ds, res = result.dataset, result.match
    imgs = []
    if len(ds.test):
        pos = {int(q): n for n, q in enumerate(res.query)}
        rows = np.array([pos[int(l)] for l in ds.test.left])
        hit = res.cand_ids[rows] == ds.test.right[:, None]
        ranks = np.where(hit.any(1), hit.argmax(1) + 1, np.inf)
        ks = np.arange(1, res.cand_ids.shape[1] + 1)
        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        ax.plot(ks, [(ranks <= k).mean() for k in ks], lw=2)
        ax.set(xlabel="k", ylabel="Hits@k", xscale="log", ylim=(0, 1.02), title="Hits@k on the test pairs")
        ax.grid(alpha=.3)
        imgs.append(("Hits@k", _png(fig)))

        correct = res.match[rows] == ds.test.right
        conf = res.confidence[rows]
        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        bins = np.linspace(0, 1, 21)
        ax.hist(conf[correct], bins=bins, alpha=.7, label=f"right ({correct.sum()})", color="tab:green")
        ax.hist(conf[~correct], bins=bins, alpha=.7, label=f"wrong ({(~correct).sum()})", color="tab:red")
        ax.set(xlabel="confidence of the one-to-one pair", ylabel="test pairs", title="Confidence")
        ax.legend()
        imgs.append(("Confidence", _png(fig)))

        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        edges = np.linspace(0, 1, 6)
        mids, accs, ns = [], [], []
        for lo, hi in zip(edges[:-1], edges[1:]):
            sel = (conf >= lo) & ((conf < hi) | (hi == 1))
            if sel.any():
                mids.append((lo + hi) / 2)
                accs.append(correct[sel].mean())
                ns.append(sel.sum())
        ax.plot([0, 1], [0, 1], "k--", lw=1)
        ax.plot(mids, accs, "o-")
        for x, y, n in zip(mids, accs, ns):
            ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(0, 5), fontsize=7)
        ax.set(xlabel="confidence", ylabel="accuracy", title="Calibration", xlim=(0, 1), ylim=(0, 1.05))
        imgs.append(("Calibration", _png(fig)))
    if model is not None and getattr(model, "loss_history_", None):
        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        ax.plot(np.arange(1, len(model.loss_history_) + 1), model.loss_history_)
        ax.set(xlabel="epoch", ylabel="masked-modeling loss", title="Training")
        ax.grid(alpha=.3)
        imgs.append(("Training loss", _png(fig)))
    return imgs


def write_report(result, path, *, model=None, max_errors: int = 50) -> None:
    """Write ``report.html``: metrics, timings, plots and the wrong test pairs."""
    ds, res, m = result.dataset, result.match, result.metrics
    e = html.escape
    rows = "".join(f"<tr><td>{e(str(k))}</td><td>{v:.4f}</td></tr>" if isinstance(v, float)
                   else f"<tr><td>{e(str(k))}</td><td>{e(str(v))}</td></tr>"
                   for k, v in m.items() if not isinstance(v, (dict, list)))
    timings = "".join(f"<tr><td>{e(k)}</td><td>{v:.2f} s</td></tr>" for k, v in result.timings.items())
    figs = "".join(f'<figure><img src="{src}" alt="{e(t)}"><figcaption>{e(t)}</figcaption></figure>'
                   for t, src in _plots(result, model))
    errs = ""
    if len(ds.test):
        pos = {int(q): n for n, q in enumerate(res.query)}
        wrong = [(l, r) for l, r in zip(ds.test.left, ds.test.right) if res.match[pos[int(l)]] != r]
        lines = []
        for l, r in wrong[:max_errors]:
            n = pos[int(l)]
            j = res.match[n]
            lines.append(f"<tr><td>{e(ds.left.ids[l])}</td><td>{e(ds.right.ids[j]) if j >= 0 else '-'}</td>"
                         f"<td>{e(ds.right.ids[r])}</td><td>{res.confidence[n]:.3f}</td></tr>")
        errs = (f"<h2>Wrong test pairs ({len(wrong)}; first {min(len(wrong), max_errors)})</h2>"
                "<table><tr><th>left</th><th>predicted</th><th>gold</th><th>confidence</th></tr>"
                + "".join(lines) + "</table>")
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>align report: {e(result.config.name)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:left}}figure{{display:inline-block;margin:.5em}}
figcaption{{text-align:center;color:#555}}</style></head><body>
<h1>Alignment report: {e(result.config.name)}</h1>
<p>Dataset <b>{e(ds.name)}</b>: {len(ds.left)} {e(ds.left.modality)} entities (left) vs {len(ds.right)}
{e(ds.right.modality)} entities (right); {len(ds.train)} train pairs, {len(ds.test)} test pairs.</p>
<h2>Metrics</h2><table>{rows}</table>
<h2>Time</h2><table>{timings}</table>
<h2>Plots</h2>{figs}
{errs}
</body></html>"""
    _io.write_text(path, page)
