"""The settings of one run: both YAML files with the command line's choices applied, the
names file read, the project secret found, and a trained tagger loaded."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from pipeline.config.models import (
    PipelineConfig,
    Settings,
    load_pipeline,
    load_themes,
    with_overrides,
)
from pipeline.config.scales import check_theme_links
from pipeline.errors import ConfigError
from pipeline.text.pseudonyms import load_secret


def load_pipeline_settings(config_path: str | Path | None = None) -> PipelineConfig:
    """pipeline.yaml alone, with its names file read: for commands that read run folders,
    not a survey export (``theming compare``, ``theming themes check``)."""
    return _read_names_file(load_pipeline(config_path))


def load_settings(config_path: str | Path | None = None,
                  themes_path: str | Path | None = None, *,
                  text_columns: Sequence[str] | None = None, id_column: str | None = None,
                  group_column: str | None = None, encoding: str | None = None,
                  sheet: str | None = None, delimiter: str | None = None,
                  model_dir: str | Path | None = None,
                  score_columns: Sequence[str] | None = None, engine: str | None = None,
                  workers: int | None = None, scheduler: str | None = None,
                  reads_export: bool = True) -> Settings:
    """Load both configs, apply command-line choices, read the names file, and load the
    trained tagger in ``model_dir`` (if given) for the classifier layer. ``reads_export``
    False (``theming eval``, ``train``: they read a coded file's own columns): no text column
    of a survey export needs to be configured.

    ``config_path`` None: the packaged defaults, no project. ``themes_path`` None: the themes
    file pipeline.yaml names (``themes:``, relative to pipeline.yaml).
    """
    pipeline = with_overrides(load_pipeline(config_path), list(text_columns or []), id_column,
                              group_column, list(score_columns or []))
    reading = {key: value for key, value in (("encoding", encoding), ("sheet", sheet),
                                             ("delimiter", delimiter)) if value}
    if reading:
        inputs = pipeline.input.model_dump()
        for key, value in reading.items():  # --sheet and --delimiter set advanced settings
            (inputs["advanced"] if key in inputs["advanced"] else inputs)[key] = value
        try:
            pipeline = pipeline.model_copy(
                update={"input": type(pipeline.input).model_validate(inputs)})
        except ValidationError as exc:
            problem = exc.errors()[0]
            flag = problem["loc"][-1] if problem["loc"] else "input"
            raise ConfigError(f"--{flag}: {problem['msg'].removeprefix('Value error, ')}",
                              code="C005") from None
    running: dict = {key: value for key, value in (("name", engine), ("workers", workers))
                     if value is not None}
    if scheduler is not None:
        running["advanced"] = pipeline.engine.advanced.model_dump() | {"scheduler": scheduler}
    if running:
        if scheduler and engine is None:
            running["name"] = "dask"  # a scheduler address means the Dask engine
        try:
            pipeline = pipeline.model_copy(update={"engine": type(pipeline.engine).model_validate(
                pipeline.engine.model_dump() | running)})
        except ValidationError as exc:
            problem = exc.errors()[0]
            flag = {"name": "engine", "advanced": "scheduler"}.get(problem["loc"][0],
                                                                   problem["loc"][0])
            raise ConfigError(f"--{flag}: {problem['msg'].removeprefix('Value error, ')}",
                              code="C005") from None
    if reads_export and not pipeline.input.text_columns:
        where = config_path or "the default pipeline.yaml"
        raise ConfigError(f"{where}: no text column to read; name the free-text columns under "
                          "input.text_columns in pipeline.yaml or pass --text-column COLUMN",
                          code="C016")
    pipeline = _read_names_file(pipeline)
    if themes_path is None and not Path(pipeline.themes).is_file():
        raise ConfigError(f"{pipeline.themes}: theme config not found; 'themes:' in "
                          f"{config_path} names it relative to that file; fix it or pass --themes",
                          code="C002")
    themes = load_themes(themes_path if themes_path is not None else pipeline.themes)
    if reads_export:  # eval and train read a coded file, not the export's statements
        check_theme_links(pipeline.input.score_columns, themes.ids,
                          str(config_path or "the default pipeline.yaml"))
    secret_file = pipeline.clean.redact.advanced.secret_file
    secret_path = Path(secret_file) if secret_file else None
    secret = load_secret(secret_path)
    tag_model = None
    if model_dir is not None:
        from pipeline.tagging.learned import load_model

        tag_model = load_model(model_dir)
        tag_model.check_themes(themes.ids, str(model_dir))
    return Settings(pipeline=pipeline, themes=themes, tag_model=tag_model,
                    config_path="" if config_path is None else str(config_path),
                    secret=secret, secret_path=str(secret_path) if secret_path else None)


def _read_names_file(pipeline: PipelineConfig) -> PipelineConfig:
    """Add the names in ``clean.redact.names_file`` (already resolved to a path) to the list."""
    redact = pipeline.clean.redact
    if not redact.names_file:
        return pipeline
    path = Path(redact.names_file)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise ConfigError(
            f"pipeline.yaml clean.redact.names_file: cannot read {path} ({exc.strerror}); give a "
            "UTF-8 text file with one name per line, relative to pipeline.yaml", code="C011",
        ) from None
    names = list(redact.names) + [ln.strip() for ln in lines
                                  if ln.strip() and not ln.lstrip().startswith("#")]
    new_redact = redact.model_copy(update={"names": names})
    new_clean = pipeline.clean.model_copy(update={"redact": new_redact})
    return pipeline.model_copy(update={"clean": new_clean})
