"""The CLI: one-line errors with exit code 2, config validation, a fast --help."""

import subprocess
import sys

import pytest

from align.config import load_config, parse_set
from align.errors import ConfigError

from conftest import ROOT, write_folder


def _align(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "align", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def test_help_does_not_import_heavy_modules():
    code = ("import sys; from align.cli import cli; "
            "from click.testing import CliRunner; r = CliRunner().invoke(cli, ['--help']); "
            "assert r.exit_code == 0 and 'run' in r.output; "
            "heavy = [m for m in ('torch', 'open_clip', 'faiss', 'ot', 'ray') if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("args, message", [
    (["run", "configs/missing.yaml"], "Config file not found: configs/missing.yaml"),
    (["run", "configs/demo.yaml", "--set", "model.dimm=3"], "Unknown config key 'model.dimm'"),
    (["run", "configs/demo.yaml", "--set", "model.epochs=many"],
     "The 'model.epochs' parameter must be an int. Got 'many' instead."),
    (["run", "configs/demo.yaml", "--set", "data.root=/nonexistent/ds"], "Dataset folder not found"),
    (["run", "configs/demo.yaml", "--set", "matching.ot.method=exact", "--set", "model.epochs=1"],
     "Unknown Sinkhorn method 'exact'"),
    (["evaluate", "--candidates", "nope.csv", "--gold", "data/countries/pairs/test.csv"], "nope.csv"),
])
def test_bad_input_one_line_exit_2(args, message, tmp_path):
    proc = _align(*args, "--out", str(tmp_path / "o")) if args[0] == "run" else _align(*args)
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr
    assert message in err[-1], err


def test_bad_dataset_through_cli(tmp_path):
    root = write_folder(tmp_path / "ds", left_rows=[("a", "A"), ("a", "B")], right_rows=[("x", "X")],
                        left_samples=[{"entities": ["a"]}], right_samples=[{"entities": ["x"]}])
    proc = _align("run", "configs/demo.yaml", "--set", f"data.root={root}", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "entities.csv:3: Duplicate entity id 'a'" in proc.stderr
    assert not (tmp_path / "o" / "metrics.json").exists()  # nothing half-written


def test_usage_error_exit_2():
    proc = _align("run")
    assert proc.returncode == 2
    assert "Missing argument" in proc.stderr


def test_config_overrides_and_validation():
    cfg = load_config(ROOT / "configs" / "demo.yaml", ["model.epochs=3", "matching.ot.reg=0.1", "name=x"])
    assert cfg.model.epochs == 3 and cfg.matching.ot.reg == 0.1 and cfg.name == "x"
    assert parse_set("a.b=[1, 2]") == ("a.b", [1, 2])
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        parse_set("novalue")
    with pytest.raises(ConfigError, match="needs an 'encoder' name"):
        load_config(None, ["perception.left={}"])
