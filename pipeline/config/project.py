"""Projects: the packaged default configs, finding a project's config, resolving its paths,
and writing a new project folder (``theming init``).

A project is a folder with ``config/pipeline.yaml`` (analysts) and ``config/themes.yaml``
(reviewers). The packaged ``defaults/`` hold every setting once; a project's pipeline.yaml is
merged over them, so it only needs what it changes. Every path a config names is relative to
the folder of the pipeline.yaml that names it, never to the current folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

PROJECT_CONFIG = Path("config") / "pipeline.yaml"
# Settings that name a path: (section, key), resolved against the config file's folder.
PATH_SETTINGS = (("clean", "redact", "names_file"), ("clean", "redact", "secret_file"),
                 ("tag", "static_model_dir"), ("tag", "onnx_model_dir"),
                 ("tag", "embedding_cache"), ("output", "runs_dir"), ("themes",))
# Where derived models go when there is no project (they hold no survey data).
USER_MODELS = Path.home() / ".cache" / "comment-theming"

PROJECT_README = """\
# {name}: a comment-theming project

- `config/pipeline.yaml`: how answers are read, cleaned, tagged and reported (analysts).
  Every setting is listed with what it does; paths in it are relative to `config/`.
- `config/themes.yaml`: the themes comments are tagged with (reviewers).
  Check an edit with `theming themes check config/themes.yaml`.
- `data/`: put survey exports here. `runs/`: one folder per run (ignored by git).
- `.theming-secret`: the key that makes respondent pseudonyms and cache keys irreversible.
  Keep it with the project (back it up) and never share or commit it: every pseudonym of this
  project depends on it.

Run a round from anywhere:

    theming run data/round.csv --config {config} --text-column comment

Leave out `--config` when you run from inside this folder: the project is found by itself.
"""
PROJECT_GITIGNORE = "runs/\ndata/cache/\nmodels/\n.theming-secret\n"


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
        elif path in (("tag", "static_model_dir"), ("tag", "onnx_model_dir")):
            holder[key] = str(USER_MODELS / Path(str(value)).name)
        else:
            holder[key] = None
    return resolved


def init_project(folder: Path, overwrite: bool = False) -> list[Path]:
    """Write a project folder; return the files written. Refuses to replace existing configs
    unless ``overwrite``."""
    from pipeline.errors import DataError
    from pipeline.io.writers import write_text

    config_dir = folder / "config"
    targets = {config_dir / name: default_path(name).read_text(encoding="utf-8")
               for name in ("pipeline.yaml", "themes.yaml")}
    existing = [str(path) for path in targets if path.exists()]
    if existing and not overwrite:
        raise DataError(f"{', '.join(existing)}: already exists; pass --overwrite to replace the "
                        "configs with the defaults, or choose another folder", code="D007")
    if folder.exists() and not folder.is_dir():
        raise DataError(f"{folder}: exists and is a file; choose a folder for the project",
                        code="D007")
    written = []
    for path, text in targets.items():
        write_text(path, text)
        written.append(path)
    for sub in ("data", "runs"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    from pipeline.config.models import load_pipeline
    from pipeline.text.pseudonyms import new_secret

    secret = load_pipeline(config_dir / "pipeline.yaml").clean.redact.secret_file
    if secret and not Path(secret).exists():
        written.append(new_secret(secret))
    extras = {folder / "README.md": PROJECT_README.format(
                  name=folder.resolve().name, config=folder / PROJECT_CONFIG),
              folder / ".gitignore": PROJECT_GITIGNORE}
    for path, text in extras.items():
        if not path.exists():
            write_text(path, text)
            written.append(path)
    return written
