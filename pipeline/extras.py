"""Optional parts of the package: which extra brings which module, and the error when it is
missing (pyproject.toml ``[project.optional-dependencies]``)."""

from __future__ import annotations

import importlib
from types import ModuleType

from pipeline.errors import ConfigError

EXTRAS = {"dask": "dask", "distributed": "dask", "bokeh": "dask", "fastapi": "review",
          "uvicorn": "review", "multipart": "review"}


def require(module: str, what: str) -> ModuleType:
    """Import ``module`` for ``what``; Error [C025] naming the extra to install when absent."""
    try:
        return importlib.import_module(module)
    except ImportError:
        package = module.split(".")[0]
        extra = EXTRAS.get(package)
        if extra is None:  # part of the base install: an incomplete or broken environment
            raise ConfigError(
                f"{what} needs the package '{package}', part of the base install, which is not "
                "importable here: reinstall with pip install --force-reinstall comment-theming "
                "(in a checkout: make install)", code="C025") from None
        raise ConfigError(f"{what} needs the optional package '{package}', which is not "
                          f"installed: pip install 'comment-theming[{extra}]' (in a checkout: "
                          f".venv/bin/pip install -c constraints.txt -e '.[{extra}]')",
                          code="C025") from None
