"""Write a small dataset in the folder format and align it (structure only, no features).

Two views of one world: a ring of 12 entities with two chords. The right side uses other ids;
three known pairs join the sides.

    python examples/own_dataset.py /tmp/my_dataset
"""

import csv
import json
import sys
from pathlib import Path

import align

root = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/example_dataset")
n = 12
edges = [(i, (i + 1) % n) for i in range(n)] + [(0, 5), (2, 8)]
sides = {"left": [f"a{i}" for i in range(n)], "right": [f"b{(i * 5) % n}" for i in range(n)]}
for side, ids in sides.items():
    (root / side).mkdir(parents=True, exist_ok=True)
    with open(root / side / "entities.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "payload"])
        w.writerows((e, e) for e in ids)
    with open(root / side / "samples.jsonl", "w") as fh:
        for u, v in edges * 4:
            fh.write(json.dumps({"entities": [ids[u], ids[v]], "relation": "link"}) + "\n")
(root / "pairs").mkdir(exist_ok=True)
for split, members in (("train", [0, 3, 7]), ("test", [1, 2, 4, 5, 6, 8, 9, 10, 11])):
    with open(root / "pairs" / f"{split}.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["left_id", "right_id"])
        w.writerows((sides["left"][i], sides["right"][i]) for i in members)
(root / "dataset.yaml").write_text(
    "name: ring\n"
    "left: {modality: kg, entities: left/entities.csv, samples: left/samples.jsonl}\n"
    "right: {modality: kg, entities: right/entities.csv, samples: right/samples.jsonl}\n"
    "pairs: {train: pairs/train.csv, test: pairs/test.csv}\n")

result = align.run({"data": {"root": str(root)}, "model": {"epochs": 40}, "matching": {"k": 5},
                    "quiet": True}, out_dir=root / "out")
print(result.metrics["hits@1"], result.pairs[:3])
