"""The examples run as documented."""

import subprocess
import sys

from conftest import ROOT


def test_own_dataset_example(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "own_dataset.py"), str(tmp_path / "ds")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == "1.0"  # the ring with two chords is aligned exactly
    assert (tmp_path / "ds" / "out" / "metrics.json").exists()
