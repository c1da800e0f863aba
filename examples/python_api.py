"""Align the bundled countries demo from Python, stage by stage.

    python examples/python_api.py
"""

from pathlib import Path

import align

ROOT = Path(__file__).resolve().parents[1]

cfg = align.load_config(ROOT / "configs" / "demo.yaml",
                        [f"data.root={ROOT / 'data' / 'countries'}", "quiet=true"])
ds = align.load_data(cfg)
features = align.embed(ds, cfg)                    # perception mappings (open_clip towers)
model = align.fit(ds, cfg, features)               # masked model over both sides' samples
struct = align.structure(model, cfg, ds.train)     # recovered structure, comparable across sides
result = align.match(ds, cfg, features, struct)    # FAISS candidates + OT + one-to-one decoding
metrics = align.evaluate(ds, result)
print({k: round(v, 3) for k, v in metrics.items() if isinstance(v, float)})

# the most confident pairs
order = result.confidence.argsort()[::-1][:5]
for i in order:
    print(ds.left.ids[result.query[i]], "->", ds.right.ids[result.match[i]], f"{result.confidence[i]:.3f}")
