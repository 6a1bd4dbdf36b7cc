"""What the authorisation matrix is made of, for apps to describe their own endpoints.

``commonroom/authz/tests/test_matrix.py`` holds the core apps' specs. A later app adds its own in
``commonroom/<app>/tests/matrix_specs.py``, which the matrix finds by itself. That module may define:

- ``PAGE_SPECS``: URL name -> ``Spec``;
- ``API_SPECS``: (method, path template) -> ``Spec``;
- ``PLACEHOLDERS``: ``"{thing_id}"`` -> ``f(world, target) -> int``, to fill API path templates;
- ``prepare(world)``: rows the matrix needs beyond the persona world (made once per module on each worker,
  in a transaction rolled back at the end of the module; each case runs in a savepoint inside it).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

from commonroom.testing.world import World

SIGNED_IN = lambda persona, target: persona != "anonymous"  # noqa: E731


@dataclass
class Spec:
    """How to reach one endpoint for a target, and who should be let through."""

    url: Callable[[World, str], str]
    allowed: Callable[[str, str], bool]
    targets: list[str] = field(default_factory=lambda: [""])
    method: str = "get"
    ok: tuple[int, ...] = (200,)
    public: bool = False  # anonymous visitors are let in too
    body: Callable[[World, str], dict] | None = None  # the JSON body of a write


def app_spec_modules() -> list[ModuleType]:
    """Every ``commonroom.<app>.tests.matrix_specs`` module, in app order."""
    import commonroom

    modules = []
    for info in sorted(pkgutil.iter_modules(commonroom.__path__), key=lambda i: i.name):
        try:
            modules.append(importlib.import_module(f"commonroom.{info.name}.tests.matrix_specs"))
        except ModuleNotFoundError as error:
            if error.name not in (f"commonroom.{info.name}.tests", f"commonroom.{info.name}.tests.matrix_specs"):
                raise
    return modules
