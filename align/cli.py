"""The ``align`` command line: a click group (``run``, ``evaluate``, ``batch``, ``recover``).

Only click is imported at start-up, so ``align --help`` is instant; each
command imports what it needs. Errors from bad input (:class:`AlignError`)
print one line to stderr and exit with code 2, never a traceback.
"""

from __future__ import annotations

import functools
import sys

import click

__all__ = ["main", "cli"]


def _friendly(fn):
    """Turn data/config errors into a one-line message and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .errors import AlignError

        try:
            return fn(*args, **kwargs)
        except AlignError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            click.echo(f"error: {exc.strerror or exc}: {exc.filename}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted; rerun the same command to resume from the last finished stage.", err=True)
            sys.exit(130)

    return wrapper


def _setup_logging(quiet: bool):
    import logging

    # The CLI, not the library, owns logging configuration.
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)  # solver warnings (e.g. Sinkhorn not converged) as one log line
    for noisy in ("PIL", "matplotlib", "root"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _summary(metrics: dict) -> str:
    keys = [k for k in ("hits@1", "hits@10", "mrr", "assignment_accuracy", "n_test", "wall_s") if k in metrics]
    lines = [f"{'metric':<22}{'value':>10}", "-" * 32]
    for k in keys:
        v = metrics[k]
        lines.append(f"{k:<22}{v:>10.4f}" if isinstance(v, float) else f"{k:<22}{v:>10}")
    if "non_iterative" in metrics:
        ni = metrics["non_iterative"]
        lines.append(f"{'hits@1 (non-iter.)':<22}{ni['hits@1']:>10.4f}")
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="align")
def cli():
    """Align the entities of two sets (images, names, knowledge graphs) and score the alignment."""


@cli.command("run")
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a config value, e.g. --set model.epochs=10 (repeatable).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output directory (default: output.dir of the config).")
@click.option("--quiet", is_flag=True, help="No progress bars or log lines.")
@click.option("--no-resume", is_flag=True, help="Recompute every stage even if its record matches.")
@_friendly
def run_cmd(config, overrides, out_dir, quiet, no_resume):
    """Run the alignment job described by CONFIG (YAML)."""
    from .config import load_config
    from .pipeline import run

    _setup_logging(quiet)
    cfg = load_config(config, overrides)
    if quiet:
        cfg.quiet = True
    out = out_dir or cfg.output.dir
    result = run(cfg, out_dir=out, resume=not no_resume)
    if not quiet:
        click.echo(_summary(result.metrics))
        click.echo(f"wrote {out}/alignment.csv, candidates.csv, metrics.json, config.yaml"
                   + (", report.html" if cfg.output.report else ""))


@cli.command("evaluate")
@click.option("--candidates", "cand_path", required=True, type=click.Path(dir_okay=False),
              help="candidates.csv (left_id,rank,right_id,score).")
@click.option("--gold", "gold_path", required=True, type=click.Path(dir_okay=False),
              help="Gold pairs CSV (left_id,right_id).")
@click.option("--ks", default="1,10", show_default=True, help="Comma-separated k for Hits@k.")
@_friendly
def evaluate_cmd(cand_path, gold_path, ks):
    """Recompute Hits@k and MRR from a candidates file and gold pairs."""
    import json

    from .evaluation.files import read_candidates_csv, read_gold_csv
    from .evaluation import evaluate_candidates
    from .errors import ConfigError

    try:
        kk = tuple(int(x) for x in ks.split(",") if x.strip())
    except ValueError:
        raise ConfigError(f"The '--ks' option must be comma-separated ints. Got {ks!r} instead.") from None
    metrics = evaluate_candidates(read_candidates_csv(cand_path), read_gold_csv(gold_path), ks=kk)
    click.echo(json.dumps(metrics, indent=2))


def _batch_job(job):
    """Engine task: one config file -> one output directory (top-level so Ray can pickle it)."""
    from .pipeline import run_from_path

    path, out, overrides = job
    res = run_from_path(path, overrides, out_dir=out, progress=False)
    return {"config": path, "out": out, **{k: res.metrics.get(k) for k in ("hits@1", "hits@10", "mrr", "n_test")}}


@cli.command("batch")
@click.argument("configs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--out-root", type=click.Path(file_okay=False), default="runs", show_default=True,
              help="Each job writes to OUT_ROOT/<config name>.")
@click.option("--engine", "engine_name", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--address", default=None, help="Ray cluster address (with --engine ray).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override for every job.")
@click.option("--quiet", is_flag=True)
@_friendly
def batch_cmd(configs, out_root, engine_name, address, overrides, quiet):
    """Run several alignment jobs, one per CONFIG, on the local or the Ray engine.

    A killed batch resumes: rerun it and every job skips its finished stages.
    """
    from pathlib import Path

    from .config import load_config
    from .engine import make_engine

    _setup_logging(quiet)
    jobs = []
    for c in configs:
        load_config(c, overrides)  # fail fast, before any job starts
        jobs.append((c, str(Path(out_root) / Path(c).stem), list(overrides) + ["quiet=true"]))
    engine = make_engine(engine_name, **({"address": address} if engine_name == "ray" else {}))
    try:
        rows = engine.map(_batch_job, jobs, desc="jobs", progress=not quiet)
    finally:
        engine.close()
    if not quiet:
        click.echo(f"{'config':<36}{'hits@1':>8}{'hits@10':>9}{'mrr':>8}")
        for r in rows:
            click.echo(f"{Path(r['config']).name:<36}{r['hits@1']:>8.4f}{r['hits@10']:>9.4f}{r['mrr']:>8.4f}")


class _LazyRecover(click.Command):
    """``align recover`` lives in :mod:`align.hypergraph.cli`; load it on first use."""

    def _target(self):
        from .hypergraph.cli import recover_command

        return recover_command

    def get_params(self, ctx):
        return self._target().get_params(ctx)

    def invoke(self, ctx):
        return _friendly(lambda: self._target().invoke(ctx))()

    def get_help(self, ctx):
        return self._target().get_help(ctx)

    def make_context(self, info_name, args, parent=None, **extra):
        return self._target().make_context(info_name, args, parent=parent, **extra)


cli.add_command(_LazyRecover("recover", help="Recover a hypergraph from samples (the paper's experiments).",
                             short_help="Recover a hypergraph from samples (the paper's experiments)."))


def main(argv=None):
    """Console-script entry point."""
    try:
        cli.main(args=argv, prog_name="align", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)  # usage errors
    except click.exceptions.Abort:
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
