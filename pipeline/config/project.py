"""Projects: the packaged default configs, finding a project's config and resolving its paths
(``pipeline.project_init`` writes a new project folder).

A project is a folder with ``config/pipeline.yaml`` (analysts) and ``config/themes.yaml``
(reviewers). Every setting's default is in the models (``pipeline.config.settings``); a
project's pipeline.yaml is merged over them, so it only needs what it changes. Every path a
config names is relative to the folder of the pipeline.yaml that names it, never to the
current folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

PROJECT_CONFIG = Path("config") / "pipeline.yaml"
# Settings that name a path: (section, key), resolved against the config file's folder.
PATH_SETTINGS = (("clean", "redact", "names_file"), ("clean", "redact", "advanced", "secret_file"),
                 ("tag", "advanced", "static_model_dir"), ("tag", "advanced", "onnx_model_dir"),
                 ("tag", "advanced", "embedding_cache"), ("output", "runs_dir"), ("themes",))
MODEL_DIRS = (("tag", "advanced", "static_model_dir"), ("tag", "advanced", "onnx_model_dir"))
# Where derived models go when there is no project (they hold no survey data).
USER_MODELS = Path.home() / ".cache" / "comment-theming"

def default_path(name: str) -> Path:
    """A packaged default config: ``pipeline.yaml`` or ``themes.yaml``."""
    return Path(str(resources.files("pipeline.config") / "defaults" / name))


def find_project_config(start: Path | None = None) -> Path | None:
    """``config/pipeline.yaml`` in ``start`` (the current folder) or the nearest folder above."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_CONFIG
        if candidate.is_file():
            return candidate
    return None


def merge(base: Any, override: Any) -> Any:
    """``override`` over ``base``: mappings merge key by key, anything else is replaced."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    return override


def resolve_paths(data: dict, config_dir: Path | None) -> dict:
    """The settings with every path made absolute against ``config_dir``.

    Without a project (``config_dir`` None) nothing is written beside the current folder: the
    embedding cache and the default runs folder are off, derived models go to the user's cache
    folder, and the themes are the packaged ones.
    """
    resolved = merge(data, {})
    for path in PATH_SETTINGS:
        *parents, key = path
        holder = resolved
        for part in parents:
            holder[part] = dict(holder[part])
            holder = holder[part]
        value = holder.get(key)
        if value in (None, ""):
            continue
        if config_dir is not None:
            holder[key] = os.path.normpath(config_dir / str(value))
        elif path == ("themes",):
            holder[key] = str(default_path("themes.yaml"))
        elif path in MODEL_DIRS:
            holder[key] = str(USER_MODELS / Path(str(value)).name)
        else:
            holder[key] = None
    return resolved
