"""Reading and validating the two YAML files: every problem at once, each with its file, line,
field path and a "did you mean" where one fits. YAML is only ever read with the safe loader.

``pipeline.yaml`` is merged over the defaults of the models (``pipeline.config.settings``),
so a project's file only needs what it changes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from pipeline.config.patterns import check_pattern, unbounded_operators
from pipeline.config.project import default_path, merge, resolve_paths
from pipeline.config.regex_check import regex_problem
from pipeline.config.scales import ScoreColumn
from pipeline.config.settings import PipelineConfig, TextColumn
from pipeline.config.themes import SLUG, ThemesConfig, slugify, tree_problems
from pipeline.config.yaml_safe import check_config_size, refuse_anchors, refuse_duplicate_keys
from pipeline.errors import ConfigError, ConfigProblems, Problem, did_you_mean


def default_values() -> dict[str, Any]:
    """Every pipeline.yaml setting at its default, as plain data (the models are the source)."""
    return PipelineConfig().model_dump(mode="python")


def nest_advanced(data: Any, model: type[BaseModel] = PipelineConfig) -> Any:
    """Settings written before the ``advanced:`` blocks (a past run's manifest) in today's
    layout: each key a section's ``advanced:`` block now holds is moved there. Only for
    records the program wrote itself; a user's pipeline.yaml gets a C003 naming the new path."""
    if not isinstance(data, Mapping):
        return data
    fields = model.model_fields
    advanced = _model_fields(model, ("advanced",)) if "advanced" in fields else []
    nested: dict[str, Any] = {}
    moved: dict[str, Any] = {}
    for key, value in data.items():
        inner = _inner_model(fields[key].annotation) if key in fields else None
        if key not in fields and key in advanced:
            moved[key] = value
        elif inner is not None and key != "advanced" and fields[key].annotation is inner:
            nested[key] = nest_advanced(value, inner)
        else:
            nested[key] = value
    if moved:
        nested["advanced"] = {**moved, **dict(nested.get("advanced") or {})}
    return nested


def _line_index(node: yaml.Node, path: tuple = ()) -> dict[tuple, tuple[int, int]]:
    """Map each field path to (line of its key, line of its value), 1-based."""
    lines: dict[tuple, tuple[int, int]] = {path: (node.start_mark.line + 1,) * 2}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = path + (key_node.value,)
            lines.update(_line_index(value_node, child))
            lines[child] = (key_node.start_mark.line + 1, value_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_line_index(item, path + (index,)))
    return lines


def _read_yaml(path: Path) -> tuple[Any, dict[tuple, tuple[int, int]]]:
    check_config_size(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found; check the path", code="C002") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}); save it as UTF-8", code="C002") from None
    refuse_anchors(path, text)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            f"{path}{where}: not valid YAML ({problem}); check indentation and that "
            "lists start with '- '",
            code="C002",
        ) from None
    refuse_duplicate_keys(path, node)
    return data, (_line_index(node) if node is not None else {})


def _model_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names valid at ``loc`` (the parent of an offending key)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return []
        annotation = field.annotation
        current = _inner_model(annotation)
        if current is None:
            return []
    return list(current.model_fields) if hasattr(current, "model_fields") else []


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _describe(loc: tuple, data: Any) -> str:
    """Readable location: ``in theme 'communications'`` or ``at input.text_columns[1]``."""
    if len(loc) >= 2 and loc[0] == "themes" and isinstance(loc[1], int):
        try:
            theme_id = data["themes"][loc[1]].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            theme_id = None
        rest = ".".join(str(p) for p in loc[2:])
        who = f"theme '{theme_id}'" if theme_id else f"theme {loc[1] + 1}"
        return f"{rest} in {who}" if rest else who
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "top level"


def _problems_from_validation(
    exc: ValidationError, model: type[BaseModel], data: Any, lines: dict
) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        kind = error["type"]
        line = (lines.get(loc) or lines.get(loc[:-1]) or (None,))[0]
        if kind == "extra_forbidden":
            key = loc[-1]
            where = _describe(loc[:-1], data)
            hint = _moved(model, loc) or did_you_mean(key, _model_fields(model, loc[:-1]))
            if not hint:
                valid = _model_fields(model, loc[:-1])
                hint = f"; valid keys: {', '.join(valid)}" if valid else ""
            problems.append(Problem("C003", line, f"unknown key '{key}' in {where}{hint}"))
        elif kind == "missing":
            problems.append(Problem("C006", line, f"{_describe(loc, data)} is required but missing"))
        elif kind == "value_error" and "empty" in error["msg"]:
            msg = error["msg"].removeprefix("Value error, ")
            problems.append(Problem("C007", line, f"{_describe(loc, data)}: {msg}"))
        else:
            got = error.get("input")
            got_text = f" (got {got!r})" if not isinstance(got, dict | list) else ""
            if isinstance(got, bool) and error["type"] == "string_type":
                got_text += "; YAML reads bare yes/no/on/off as true/false, so put it in quotes"
            msg = error["msg"].removeprefix("Value error, ")
            problems.append(Problem("C005", line, f"{_describe(loc, data)}: {msg}{got_text}"))
    return problems


def _moved(model: type[BaseModel], loc: tuple) -> str:
    """The fix for a key written one level off: a section's setting that now sits under its
    ``advanced:`` block, or an ``advanced:`` key that is a section's own setting."""
    *parent, key = (str(part) for part in loc if not isinstance(part, int))
    if "advanced" in _model_fields(model, tuple(parent)) and key in _model_fields(
            model, (*parent, "advanced")):
        return f"; it moved: write it as {'.'.join([*parent, 'advanced', key])}"
    if parent and parent[-1] == "advanced" and key in _model_fields(model, tuple(parent[:-1])):
        return f"; it is not advanced: write it as {'.'.join([*parent[:-1], key])}"
    return ""


def _theme_problems(data: Any, lines: dict) -> list[Problem]:
    """Checks pydantic cannot express per field: slugs, duplicate ids, spaCy patterns."""
    problems: list[Problem] = []
    themes = data.get("themes") if isinstance(data, Mapping) else None
    if not isinstance(themes, list):
        return problems
    seen: dict[str, int | None] = {}
    for index, theme in enumerate(themes):
        if not isinstance(theme, Mapping) or not isinstance(theme.get("id"), str):
            continue
        theme_id = theme["id"]
        line = (lines.get(("themes", index, "id")) or (None, None))[1]
        if not SLUG.match(theme_id):
            slug = re.sub(r"[^a-z0-9]+", "_", theme_id.lower()).strip("_")
            problems.append(Problem(
                "C009", line,
                f"theme id '{theme_id}' must be lower-case letters, digits and '_' "
                f"(try '{slug}'); ids are stable keys across rounds",
            ))
        if theme_id in seen:
            first = seen[theme_id]
            problems.append(Problem(
                "C004", line,
                f"duplicate theme id '{theme_id}'"
                + (f" (first used at line {first})" if first else "")
                + "; give each theme its own id",
            ))
        else:
            seen[theme_id] = line
        for p_index, pattern in enumerate(theme.get("patterns") or []):
            where = lines.get(("themes", index, "patterns", p_index), (line,))[0]
            message = check_pattern(pattern)
            if message:
                problems.append(Problem(
                    "C008", where,
                    f"pattern {p_index + 1} in theme '{theme_id}' is not a valid spaCy token "
                    f"pattern: {message}",
                ))
            elif unsafe := regex_problem(pattern):
                problems.append(Problem("C032", where,
                                        f"theme '{theme_id}' pattern {p_index + 1}: {unsafe}"))
            elif unbounded_operators(pattern) > 1:
                problems.append(Problem(
                    "C015", where,
                    f"pattern {p_index + 1} in theme '{theme_id}' has "
                    f"{unbounded_operators(pattern)} tokens with an unbounded operator (*, + or "
                    "{n,}); at most one is allowed, as several can take minutes on one long "
                    "sentence; bound the others, e.g. {OP: \"{0,3}\"}",
                ))
    at_index = [i for i, t in enumerate(themes)
                if isinstance(t, Mapping) and isinstance(t.get("id"), str)]
    for index, key, problem in tree_problems([themes[i] for i in at_index]):
        at = at_index[index]
        line = (lines.get(("themes", at, key)) or lines.get(("themes", at, "id"))
                or (None, None))[1]
        problems.append(dataclasses.replace(problem, line=line))
    return problems


def _validate(path: Path, model: type[BaseModel], extra_checks=None, *,
              defaults: Mapping | None = None, prepare=None) -> BaseModel:
    """Read ``path`` and validate it as ``model``; with ``defaults``, the file is merged over
    them first. ``prepare`` may rewrite the merged data (paths) before validation."""
    data, lines = _read_yaml(path)
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"{path}: expected a mapping of settings at the top level, found "
            f"{type(data).__name__}; run 'theming init DIR' for a complete example",
            code="C002",
        )
    if defaults is not None:
        data = merge(defaults, data)
    problems: list[Problem] = []
    model_obj = None
    try:
        model_obj = model.model_validate(prepare(data) if prepare else data)
    except ValidationError as exc:
        problems.extend(_problems_from_validation(exc, model, data, lines))
    if extra_checks:
        problems.extend(extra_checks(data, lines))
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.code))
        raise ConfigProblems(str(path), problems)
    assert model_obj is not None
    return model_obj


def load_themes(path: str | Path | None = None) -> ThemesConfig:
    """Read and validate ``themes.yaml`` (the packaged themes when ``path`` is None); raise
    ConfigProblems listing every problem."""
    path = default_path("themes.yaml") if path is None else Path(path)
    return _validate(path, ThemesConfig, _theme_problems)  # type: ignore[return-value]


def load_pipeline(path: str | Path | None = None) -> PipelineConfig:
    """Read and validate a project's ``pipeline.yaml`` merged over the models' defaults, with
    every path resolved against the file's folder. ``None``: the defaults alone, no project."""
    defaults = default_values()
    if path is None:
        return PipelineConfig.model_validate(resolve_paths(defaults, None))
    config_dir = Path(path).absolute().parent
    return _validate(Path(path), PipelineConfig, defaults=defaults,  # type: ignore[return-value]
                     prepare=lambda data: resolve_paths(data, config_dir))


def with_overrides(
    config: PipelineConfig,
    text_columns: list[str] | None = None,
    id_column: str | None = None,
    group_column: str | None = None,
    score_columns: list[str] | None = None,
) -> PipelineConfig:
    """Return ``config`` with command-line column choices applied. ``score_columns``
    keep the config's statement words and scale for a column it already lists."""
    inputs = config.input
    updates: dict[str, Any] = {}
    if text_columns:
        updates["text_columns"] = [
            TextColumn(column=col, question=slugify(col) or f"q{i + 1}")
            for i, col in enumerate(text_columns)
        ]
        # Score columns belong to the configured export; a different file rarely has them.
        updates["score_columns"] = []
    if score_columns:
        known = {score.column: score for score in inputs.score_columns}
        updates["score_columns"] = [known.get(col) or ScoreColumn(column=col)
                                    for col in score_columns]
    if id_column:
        updates["id_column"] = id_column
    if group_column:
        updates["group_column"] = group_column
    if not updates:
        return config
    return config.model_copy(update={"input": inputs.model_copy(update=updates)})
