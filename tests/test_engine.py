"""Engines: the local engine maps in order; batch jobs run through it; Ray is optional."""

import json
import subprocess
import sys

import pytest

from align.engine import make_engine
from align.errors import ConfigError

from conftest import ROOT, write_folder


def _square(x):
    return x * x


def test_local_engine_maps_in_order():
    eng = make_engine("local")
    assert eng.map(_square, [3, 1, 2]) == [9, 1, 4]
    with pytest.raises(ConfigError, match="Unknown engine 'spark'"):
        make_engine("spark")


def test_ray_engine_needs_the_extra_or_works():
    try:
        import ray  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"pip install 'align\[ray\]'"):
            make_engine("ray")
        return
    eng = make_engine("ray", num_cpus=1)
    try:
        assert eng.map(_square, [1, 2, 3]) == [1, 4, 9]
    finally:
        eng.close()


def test_batch_runs_each_config(tmp_path):
    ids = [f"e{i}" for i in range(12)]
    ring = [{"entities": [ids[i], ids[(i + 1) % 12]]} for i in range(12)] + [{"entities": ["e0", "e5"]}]
    rids = [f"r{i}" for i in range(12)]
    ring_r = [{"entities": [rids[i], rids[(i + 1) % 12]]} for i in range(12)] + [{"entities": ["r0", "r5"]}]
    root = write_folder(tmp_path / "ds", left_rows=[(i, i) for i in ids], right_rows=[(r, r) for r in rids],
                        left_samples=ring * 3, right_samples=ring_r * 3,
                        train=[("e0", "r0"), ("e3", "r3"), ("e7", "r7")],
                        test=[(f"e{i}", f"r{i}") for i in (1, 2, 4, 5, 6, 8, 9, 10, 11)])
    cfgs = []
    for n, epochs in ((1, 5), (2, 6)):
        c = tmp_path / f"job{n}.yaml"
        c.write_text(f"data: {{root: {root}}}\nmodel: {{epochs: {epochs}}}\nmatching: {{k: 5}}\n"
                     "output: {report: false}\n")
        cfgs.append(str(c))
    proc = subprocess.run([sys.executable, "-m", "align", "batch", *cfgs, "--out-root", str(tmp_path / "runs")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    for n in (1, 2):
        m = json.loads((tmp_path / "runs" / f"job{n}" / "metrics.json").read_text())
        assert m["n_test"] == 9
    assert "job1.yaml" in proc.stdout and "job2.yaml" in proc.stdout
