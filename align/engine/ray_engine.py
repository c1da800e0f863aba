"""Ray engine: the same ``map`` as Ray tasks (``pip install 'align[ray]'``)."""

from __future__ import annotations

from ..errors import ConfigError

__all__ = ["RayEngine"]


class RayEngine:
    """Run ``map`` calls as Ray remote tasks.

    Parameters
    ----------
    address : str, optional
        Cluster address (``"auto"`` to join a running cluster); ``None`` starts
        a local Ray instance.
    num_cpus : int, optional
        CPUs for a local instance.
    """

    name = "ray"

    def __init__(self, *, address: str | None = None, num_cpus: int | None = None):
        try:
            import ray
        except ImportError:
            raise ConfigError("The 'ray' engine needs Ray: pip install 'align[ray]'.") from None
        self._ray = ray
        if not ray.is_initialized():
            ray.init(address=address, num_cpus=num_cpus, ignore_reinit_error=True,
                     include_dashboard=False, log_to_driver=False)

    def map(self, fn, items, *, desc: str = "", progress: bool = False) -> list:
        remote = self._ray.remote(fn)
        return self._ray.get([remote.remote(it) for it in items])

    def close(self) -> None:
        if self._ray.is_initialized():
            self._ray.shutdown()
