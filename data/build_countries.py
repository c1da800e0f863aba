#!/usr/bin/env python3
"""Build the bundled ``countries`` demo dataset for ``align``.

The dataset pairs two views of the same ~250 countries:

* **left** (image modality): flag images with opaque ids (``flag_000`` ...),
  assigned by a seeded random permutation so that ids leak neither ISO codes
  nor names.
* **right** (text modality): countries named by a slug of their common English
  name (``france``, ``united_states``), with a short English sentence per
  sample.

Both sides observe the same hidden *world hypergraph* (borders, subregions,
shared languages, shared currencies), but through independent random sample
streams: each sample is one hyperedge drawn with probability proportional to
``weight * RELATION_FACTOR[relation]`` and observed as a random subset of its
members.  The gold alignment (same ISO code on both sides) is split into
``pairs/train.csv`` (30 %) and ``pairs/test.csv`` (70 %).

Sources (fetched with ``npm pack`` into the ``--work`` directory):

* ``svg-country-flags`` (public domain flag renderings, ``png100px/<cca2>.png``)
* ``world-countries`` (country data, ODbL 1.0, from mledoze/countries)

Usage::

    python data/build_countries.py [--seed 0] [--samples-per-side 3000]
                                   [--out data/countries] [--work data/_build]

Only the standard library, Pillow and PyYAML are used.  The output is a pure
function of the seed and the pinned package versions.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import hashlib
import itertools
import json
import random
import re
import shutil
import subprocess
import sys
import tarfile
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml
from PIL import Image

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

#: npm packages (name, pinned version) that the dataset is built from.
FLAGS_PACKAGE = ("svg-country-flags", "1.2.10")
COUNTRIES_PACKAGE = ("world-countries", "5.1.0")

#: Directory inside the flags package holding the PNG renderings we resize.
FLAGS_PNG_DIR = "png100px"

#: Width in pixels of the stored flag images (aspect ratio is kept).
IMAGE_WIDTH = 64

#: Relation-type factor multiplied with a hyperedge's weight to get its
#: sampling probability.  Borders are favoured because there are many small,
#: informative 2-edges; group relations (subregion, shared language, shared
#: currency) are large hyperedges that are only seen as partial views.
RELATION_FACTOR = {
    "borders": 3.0,
    "subregion": 1.0,
    "language": 1.0,
    "currency": 1.0,
}

#: A group hyperedge is observed as a random subset of size
#: ``min(len(members), randint(*GROUP_VIEW_SIZE))``.
GROUP_VIEW_SIZE = (2, 4)

#: Fraction of gold pairs that go to ``pairs/train.csv``; the rest is test.
TRAIN_FRACTION = 0.3

#: Sentence templates for the right (text) side.  ``{a}``/``{b}`` are the two
#: members of a border edge, ``{members}`` is an English list ("A, B and C"),
#: ``{label}`` is the subregion / language / currency name.  ``{verb}`` is
#: "both" for two members and "all" for more.
TEMPLATES = {
    "borders": [
        "{a} borders {b}.",
        "{a} and {b} share a border.",
        "{a} is a neighbour of {b}.",
    ],
    "subregion": [
        "{members} are in {label}.",
        "{members} {verb} lie in {label}.",
        "{members} are located in {label}.",
    ],
    "language": [
        "{label} is spoken in {members}.",
        "People in {members} speak {label}.",
        "{members} {verb} have {label} as an official language.",
    ],
    "currency": [
        "{members} {verb} use the {label}.",
        "The {label} is used in {members}.",
        "You can pay with the {label} in {members}.",
    ],
}

DESCRIPTION = (
    "Countries of the world seen twice: flag images (left) and English "
    "sentences about borders, subregions, languages and currencies (right)."
)


# --------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    cca3: str
    cca2: str
    name: str
    flag: Path  # source PNG


@dataclass(frozen=True)
class Hyperedge:
    relation: str
    members: tuple[str, ...]  # sorted cca3 codes
    weight: float = 1.0
    label: str | None = None  # subregion / language / currency name


# --------------------------------------------------------------------------
# Fetching sources
# --------------------------------------------------------------------------


def fetch_package(name: str, version: str, work: Path) -> tuple[Path, str]:
    """``npm pack`` a package into ``work`` and extract it.

    Returns the extracted package root and the sha256 of the tarball.  Both
    steps are skipped when their result is already present.
    """
    work.mkdir(parents=True, exist_ok=True)
    tarball = work / f"{name}-{version}.tgz"
    if not tarball.exists():
        proc = subprocess.run(
            ["npm", "pack", f"{name}@{version}"],
            cwd=work,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0 or not tarball.exists():
            sys.exit(f"npm pack {name}@{version} failed:\n{proc.stderr}")
    root = work / f"{name}-{version}"
    if not root.exists():
        tmp = work / f".{name}-{version}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        with tarfile.open(tarball) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter="data")
            else:  # Python < 3.11.4
                tar.extractall(tmp)
        (tmp / "package").rename(root)
        tmp.rmdir()
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    return root, digest


# --------------------------------------------------------------------------
# Building the world hypergraph
# --------------------------------------------------------------------------


def slugify(name: str) -> str:
    """ASCII lowercase slug: "Côte d'Ivoire" -> "cote_divoire"."""
    ascii_name = (
        unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    )
    ascii_name = re.sub(r"['’]", "", ascii_name.lower())
    return re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")


def pick_label(names_by_country: dict[str, str], area: dict[str, float]) -> str:
    """Choose one display name for a language/currency code.

    world-countries sometimes names the same code differently per country
    (e.g. GBP "Pound sterling" / "British pound").  Take the most frequent
    name; break ties with the name used by the largest country by area.
    """
    counts = Counter(names_by_country.values())
    return max(
        counts,
        key=lambda n: (
            counts[n],
            max(area[c] for c, m in names_by_country.items() if m == n),
            n,
        ),
    )


def build_world(
    records: list[dict], flag_dir: Path
) -> tuple[dict[str, Country], list[Hyperedge], list[str]]:
    """Select countries with a flag PNG and derive the world hyperedges.

    Returns the countries (by cca3), the hyperedges, and a list of notes about
    data quirks for LICENSE.md.
    """
    notes: list[str] = []
    countries: dict[str, Country] = {}
    for rec in sorted(records, key=lambda r: r["cca3"]):
        png = flag_dir / f"{rec['cca2'].lower()}.png"
        if png.exists():
            countries[rec["cca3"]] = Country(
                rec["cca3"], rec["cca2"], rec["name"]["common"], png
            )
    recs = {r["cca3"]: r for r in records if r["cca3"] in countries}
    area = {c: float(r.get("area") or 0.0) for c, r in recs.items()}

    edges: list[Hyperedge] = []

    # Borders: symmetric closure of the per-country lists.
    pairs: set[tuple[str, str]] = set()
    for c, rec in recs.items():
        for b in rec["borders"]:
            if b in countries and b != c:
                pairs.add(tuple(sorted((c, b))))
                if c not in recs[b]["borders"]:
                    notes.append(
                        f"world-countries lists {countries[c].name} -> "
                        f"{countries[b].name} as a border but not the reverse; "
                        "borders are made symmetric."
                    )
    edges += [Hyperedge("borders", p) for p in sorted(pairs)]

    # Subregions.
    by_subregion: dict[str, list[str]] = defaultdict(list)
    no_subregion = []
    for c, rec in recs.items():
        if rec.get("subregion"):
            by_subregion[rec["subregion"]].append(c)
        else:
            no_subregion.append(countries[c].name)
    if no_subregion:
        notes.append(
            "No subregion in the source (left out of subregion edges): "
            + ", ".join(sorted(no_subregion))
            + "."
        )
    for sub in sorted(by_subregion):
        edges.append(Hyperedge("subregion", tuple(sorted(by_subregion[sub])),
                               label=sub))

    # Shared languages and currencies (keyed by code, labelled by name).
    for relation, field in (("language", "languages"), ("currency", "currencies")):
        by_code: dict[str, dict[str, str]] = defaultdict(dict)
        for c, rec in recs.items():
            for code, value in (rec.get(field) or {}).items():
                name = value if isinstance(value, str) else value.get("name", code)
                by_code[code][c] = name
        group = []
        for code, names in by_code.items():
            if len(names) >= 2:
                group.append(Hyperedge(relation, tuple(sorted(names)),
                                       label=pick_label(names, area)))
        edges += sorted(group, key=lambda e: (e.label, e.members))

    edges = [e for e in edges if len(e.members) >= 2]
    return countries, edges, notes


# --------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------


def observe(edge: Hyperedge, rng: random.Random, must: str | None = None) -> list[str]:
    """Observe a hyperedge as a shuffled subset of its members.

    A 2-edge is seen whole; a larger group as a random subset of size
    ``min(len, randint(2, 4))``.  ``must`` forces one member into the view.
    """
    members = list(edge.members)
    if len(members) > 2:
        k = min(len(members), rng.randint(*GROUP_VIEW_SIZE))
        if must is None:
            members = rng.sample(members, k)
        else:
            others = [m for m in members if m != must]
            members = [must] + rng.sample(others, k - 1)
    rng.shuffle(members)
    return members


def sample_side(
    edges: list[Hyperedge], n: int, rng: random.Random
) -> list[tuple[Hyperedge, list[str]]]:
    """Draw ``n`` i.i.d. observed hyperedges, then ensure coverage.

    Hyperedges are drawn with probability proportional to
    ``weight * RELATION_FACTOR[relation]``.  Afterwards, each country that
    belongs to some hyperedge but appears in no sample gets one sample of a
    hyperedge containing it (chosen with the same weights); it replaces a
    randomly chosen sample whose members all appear elsewhere too, so the
    count stays ``n`` and no other country loses coverage.
    """
    weights = [e.weight * RELATION_FACTOR[e.relation] for e in edges]
    cum = list(itertools.accumulate(weights))
    samples = [
        (e, observe(e, rng)) for e in rng.choices(edges, cum_weights=cum, k=n)
    ]

    count = Counter(m for _, ms in samples for m in ms)
    edges_of: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(edges):
        for m in e.members:
            edges_of[m].append(i)
    forced: set[int] = set()
    for c in sorted(edges_of):
        if count[c]:
            continue
        idx = edges_of[c]
        e = edges[rng.choices(idx, weights=[weights[i] for i in idx])[0]]
        new = observe(e, rng, must=c)
        candidates = [
            i for i, (_, ms) in enumerate(samples)
            if i not in forced and all(count[m] >= 2 for m in ms)
        ]
        if not candidates:  # tiny n: cannot keep the count, append instead
            samples.append((e, new))
            forced.add(len(samples) - 1)
        else:
            i = rng.choice(candidates)
            for m in samples[i][1]:
                count[m] -= 1
            samples[i] = (e, new)
            forced.add(i)
        for m in new:
            count[m] += 1
    return samples


def english_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def sentence(edge: Hyperedge, names: list[str], rng: random.Random) -> str:
    template = rng.choice(TEMPLATES[edge.relation])
    return template.format(
        a=names[0],
        b=names[-1],
        members=english_list(names),
        label=edge.label,
        verb="both" if len(names) == 2 else "all",
    )


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_jsonl(path: Path, objs: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for obj in objs:
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")


def write_flag(src: Path, dst: Path) -> None:
    """Resize a flag to IMAGE_WIDTH px wide, flatten onto white, save RGB PNG."""
    with Image.open(src) as im:
        im = im.convert("RGBA")
        height = max(1, round(im.height * IMAGE_WIDTH / im.width))
        im = im.resize((IMAGE_WIDTH, height), Image.Resampling.LANCZOS)
        flat = Image.new("RGB", im.size, (255, 255, 255))
        flat.paste(im, mask=im.getchannel("A"))
    dst.parent.mkdir(parents=True, exist_ok=True)
    flat.save(dst, format="PNG", optimize=True)


def license_text(
    *, seed: int, n_samples: int, countries: dict[str, Country],
    isolated: list[str], uncovered: list[str], notes: list[str],
    digests: dict[str, str],
) -> str:
    (fname, fver), (cname, cver) = FLAGS_PACKAGE, COUNTRIES_PACKAGE
    lines = [
        "# Licence and provenance of the `countries` dataset",
        "",
        "## Flag images (`left/images/`)",
        "",
        f"Resized from the PNG renderings (`{FLAGS_PNG_DIR}/`) of the npm package "
        f"`{fname}@{fver}` (https://github.com/hjnilsson/country-flags), "
        "which declares them public domain (`\"license\": \"PD\"`): the source "
        "drawings come from Wikipedia/Wikimedia Commons, and national flags are "
        "generally not subject to copyright. Flags may still be restricted in "
        "other ways (e.g. laws on the use of national symbols).",
        "",
        "## Country data (everything else)",
        "",
        f"Derived from `countries.json` of the npm package `{cname}@{cver}`, "
        "which is the database of the project mledoze/countries "
        "(https://github.com/mledoze/countries), © Mohammed Le Doze and "
        "contributors, made available under the Open Database License (ODbL) "
        "1.0: https://opendatacommons.org/licenses/odbl/1-0/ .",
        "",
        "The country names, ids, borders, subregions, languages and currencies "
        "in `world.json`, `right/`, `left/entities.csv`, `*/samples.jsonl` and "
        "`pairs/` form a derivative database of it and are likewise made "
        "available under ODbL 1.0. Keep this attribution when you reuse them.",
        "",
        "## How it was built",
        "",
        "```",
        f"python data/build_countries.py --seed {seed} "
        f"--samples-per-side {n_samples}",
        "```",
        "",
        f"- sources: `npm pack {fname}@{fver}` (sha256 {digests[fname]}) and "
        f"`npm pack {cname}@{cver}` (sha256 {digests[cname]})",
        f"- seed: {seed}; samples per side: {n_samples}; flags resized to "
        f"{IMAGE_WIDTH} px wide (aspect kept), flattened onto white, RGB PNG",
        f"- countries: {len(countries)} (every world-countries entry with a flag "
        "PNG, matched by cca2)",
        "- relation sampling factors: "
        + ", ".join(f"{r} {f:g}" for r, f in RELATION_FACTOR.items()),
        f"- isolated countries (no land border in the data, mostly islands): "
        f"{len(isolated)}",
    ]
    if uncovered:
        lines.append(
            "- in no hyperedge at all, hence in no sample: " + ", ".join(uncovered)
        )
    lines += [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples-per-side", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=Path("data/countries"))
    parser.add_argument("--work", type=Path, default=Path("data/_build"),
                        help="scratch directory for the npm tarballs")
    args = parser.parse_args(argv)
    seed, out = args.seed, args.out

    flags_root, flags_sha = fetch_package(*FLAGS_PACKAGE, args.work)
    wc_root, wc_sha = fetch_package(*COUNTRIES_PACKAGE, args.work)
    digests = {FLAGS_PACKAGE[0]: flags_sha, COUNTRIES_PACKAGE[0]: wc_sha}
    records = json.loads((wc_root / "countries.json").read_text(encoding="utf-8"))
    countries, edges, notes = build_world(records, flags_root / FLAGS_PNG_DIR)
    codes = sorted(countries)

    # Independent, named random streams derived from the seed.
    def stream(name: str) -> random.Random:
        return random.Random(f"countries:{seed}:{name}")

    # Left ids: seeded random permutation, so ids reveal nothing.
    width = max(3, len(str(len(codes) - 1)))
    perm = codes[:]
    stream("left-ids").shuffle(perm)
    left_id = {c: f"flag_{i:0{width}d}" for i, c in enumerate(perm)}

    # Right ids: unique slugs of the common name.
    right_id: dict[str, str] = {}
    taken: set[str] = set()
    for c in codes:
        slug = slugify(countries[c].name) or c.lower()
        if slug in taken:
            slug = f"{slug}_{c.lower()}"
        taken.add(slug)
        right_id[c] = slug

    # Fresh output (only the paths this script owns).
    for sub in ("left", "right", "pairs"):
        shutil.rmtree(out / sub, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)

    # Left side: images + entities + samples.
    left_rows = []
    for c in codes:
        rel = f"left/images/{left_id[c]}.png"
        write_flag(countries[c].flag, out / rel)
        left_rows.append([left_id[c], rel])
    write_csv(out / "left/entities.csv", ["id", "payload"], sorted(left_rows))
    left_samples = sample_side(edges, args.samples_per_side, stream("left-samples"))
    write_jsonl(out / "left/samples.jsonl", [
        {"entities": [left_id[m] for m in ms], "relation": e.relation}
        for e, ms in left_samples
    ])

    # Right side: names + samples with sentences.
    write_csv(out / "right/entities.csv", ["id", "payload"],
              sorted([right_id[c], countries[c].name] for c in codes))
    rng_right = stream("right-samples")
    right_samples = sample_side(edges, args.samples_per_side, rng_right)
    write_jsonl(out / "right/samples.jsonl", [
        {
            "entities": [right_id[m] for m in ms],
            "relation": e.relation,
            "text": sentence(e, [countries[m].name for m in ms], rng_right),
        }
        for e, ms in right_samples
    ])

    # Gold pairs, seeded 30/70 split.
    gold = codes[:]
    stream("split").shuffle(gold)
    n_train = round(TRAIN_FRACTION * len(gold))
    for name, part in (("train", gold[:n_train]), ("test", gold[n_train:])):
        write_csv(out / f"pairs/{name}.csv", ["left_id", "right_id"],
                  sorted([left_id[c], right_id[c]] for c in part))

    # World hypergraph (ground truth, for analysis).
    world = {
        "seed": seed,
        "countries": {
            c: {"name": countries[c].name, "cca2": countries[c].cca2,
                "left_id": left_id[c], "right_id": right_id[c]}
            for c in codes
        },
        "hyperedges": [
            {"relation": e.relation, "members": list(e.members),
             "weight": e.weight, **({"label": e.label} if e.label else {})}
            for e in edges
        ],
    }
    (out / "world.json").write_text(
        json.dumps(world, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    dataset = {
        "name": "countries",
        "description": DESCRIPTION,
        "seed": seed,
        "left": {"modality": "image", "entities": "left/entities.csv",
                 "samples": "left/samples.jsonl"},
        "right": {"modality": "text", "entities": "right/entities.csv",
                  "samples": "right/samples.jsonl"},
        "pairs": {"train": "pairs/train.csv", "test": "pairs/test.csv"},
    }
    (out / "dataset.yaml").write_text(
        yaml.safe_dump(dataset, sort_keys=False, allow_unicode=True, width=1000),
        encoding="utf-8")

    bordered = {m for e in edges if e.relation == "borders" for m in e.members}
    isolated = [c for c in codes if c not in bordered]
    in_edges = {m for e in edges for m in e.members}
    uncovered = [countries[c].name for c in codes if c not in in_edges]
    (out / "LICENSE.md").write_text(license_text(
        seed=seed, n_samples=args.samples_per_side, countries=countries,
        isolated=isolated, uncovered=uncovered, notes=notes, digests=digests,
    ), encoding="utf-8")

    by_rel = Counter(e.relation for e in edges)
    print(f"countries={len(codes)} hyperedges={dict(by_rel)} "
          f"samples={len(left_samples)}+{len(right_samples)} "
          f"train={n_train} test={len(codes) - n_train} -> {out}")


if __name__ == "__main__":
    main()
