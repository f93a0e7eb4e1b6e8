"""Write docs/reference/settings.md, the settings reference, from the models of
``pipeline.config.settings`` (the one source of every default and description).

Run:  python docs/gen_settings_reference.py
A test (tests/test_settings_reference.py) regenerates the page in memory and fails when the
committed one differs.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

from pipeline.config.generate import section_model, walk
from pipeline.config.settings import PipelineConfig

PAGE = Path(__file__).resolve().parent / "reference" / "settings.md"
REGENERATE = "python docs/gen_settings_reference.py"
INTRO = f"""\
# Settings reference

Every setting of `pipeline.yaml`, generated from the models in
`pipeline/config/settings.py` by `{REGENERATE}` (do not edit this page by hand).
A project's `pipeline.yaml` only needs the settings it changes; the rest keep the defaults
below. `theming init DIR` writes the packaged `pipeline.yaml` with every setting and its
description, and paths are relative to the folder of the `pipeline.yaml` that names them.

Each section lists first the settings an analyst changes from survey to survey, then, in its
own table, the settings under the section's `advanced:` block, which most projects leave
alone (written as `discover: {{advanced: {{umap_epochs: 50}}}}`).
"""


def type_name(annotation: Any) -> str:
    """A short, readable type: ``int | null``, ``list[TextColumn]``, ``"local" | "dask"``."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " | ".join(f'"{arg}"' if isinstance(arg, str) else str(arg) for arg in args)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(arg) for arg in args)
    if origin in (list, dict):
        return f"{origin.__name__}[{', '.join(type_name(arg) for arg in args)}]"
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", str(annotation))


def default_text(value: Any) -> str:
    """A default as YAML-like text for a table cell."""
    if value is None:
        return "`null`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, dict) or (isinstance(value, list) and len(json.dumps(value)) > 60):
        return f"{len(value)} entr{'y' if len(value) == 1 else 'ies'} (in the packaged pipeline.yaml)"
    return f"`{json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value}`"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _value(values: dict[str, Any], path: tuple[str, ...]) -> Any:
    for part in path:
        values = values[part]
    return values


def _table(rows: list[tuple[tuple[str, ...], Any]], values: dict[str, Any]) -> list[str]:
    lines = ["| Setting | Type | Default | Description |", "|---|---|---|---|"]
    for path, field in rows:
        lines.append(f"| `{'.'.join(path)}` | {cell(type_name(field.annotation))} | "
                     f"{cell(default_text(_value(values, path)))} | "
                     f"{cell(field.description or '')} |")
    return lines


def user_facing(path: tuple[str, ...]) -> bool:
    """A setting an analyst sees: not under any ``advanced:`` block."""
    return "advanced" not in path


def render() -> str:
    """The page's text."""
    values = PipelineConfig().model_dump(mode="python")
    leaves = list(walk(PipelineConfig))
    shown = sum(user_facing(path) for path, _ in leaves)
    lines = [INTRO, f"{shown} settings are user-facing and {len(leaves) - shown} advanced.", ""]
    top = [(path, field) for path, field in leaves if len(path) == 1]
    lines += ["## Top level", "", *_table(top, values), ""]
    for name, field in PipelineConfig.model_fields.items():
        if section_model(field) is None:
            continue
        rows = [(path, f) for path, f in leaves if path[0] == name]
        lines += [f"## `{name}`", "", cell(field.description or ""), ""]
        lines += _table([row for row in rows if user_facing(row[0])], values) + [""]
        advanced = [row for row in rows if not user_facing(row[0])]
        if advanced:
            lines += [f"### `{name}` advanced", "", *_table(advanced, values), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> int:
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {PAGE}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
