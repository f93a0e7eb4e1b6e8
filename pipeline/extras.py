"""Optional parts of the package: which extra brings which module, and the error when it is
missing (pyproject.toml ``[project.optional-dependencies]``)."""

from __future__ import annotations

import importlib
from types import ModuleType

from pipeline.errors import ConfigError

EXTRAS = {"dask": "dask", "distributed": "dask", "fastapi": "review", "uvicorn": "review",
          "onnxruntime": "onnx", "onnx": "onnx", "model2vec": "static"}


def require(module: str, what: str) -> ModuleType:
    """Import ``module`` for ``what``; Error [C025] naming the extra to install when absent."""
    try:
        return importlib.import_module(module)
    except ImportError:
        extra = EXTRAS.get(module.split(".")[0], "all")
        raise ConfigError(f"{what} needs the optional package '{module.split('.')[0]}', which is "
                          f"not installed: pip install 'comment-theming[{extra}]'",
                          code="C025") from None
