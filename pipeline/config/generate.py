"""The packaged ``defaults/pipeline.yaml``, generated from the models of
``pipeline.config.settings`` (the one source of defaults): every setting at its default with its
description as a comment, the settings an analyst changes first in each section and its
``advanced:`` block last. ``theming init`` copies the file into a new project.

Regenerate after changing a setting:  python -m pipeline.config.generate
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_origin

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from pipeline.config.project import default_path
from pipeline.config.settings import PipelineConfig

REGENERATE = "python -m pipeline.config.generate"
WIDTH = 96
HEADER = f"""\
# Pipeline settings for analysts, each at its default with what it does.
# GENERATED from pipeline/config/settings.py: edit the models there, not this file, then run
# `{REGENERATE}`.
# A project's pipeline.yaml only needs what it changes; everything else comes from these
# defaults. The settings under each section's `advanced:` are ones most projects leave alone.
# Paths are relative to the folder of the pipeline.yaml that names them (a project's config/).
# The column flags of `theming run` (--text-column, --id-column, ...) override the input
# section, so any export can be run without editing this file.
"""


def section_model(field: FieldInfo) -> type[BaseModel] | None:
    """The model a field holds when it is a section (or an ``advanced:`` block), else None."""
    annotation = field.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def ordered_fields(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    """A model's fields in the order they are shown: plain settings, then sub-sections and
    mappings (``scales``), then the ``advanced:`` block."""
    def rank(item: tuple[str, FieldInfo]) -> int:
        name, field = item
        block = section_model(field) or get_origin(field.annotation) is dict
        return 2 if name == "advanced" else (1 if block else 0)
    return sorted(model.model_fields.items(), key=rank)


def walk(model: type[BaseModel], prefix: tuple[str, ...] = ()
         ) -> Iterator[tuple[tuple[str, ...], FieldInfo]]:
    """Every leaf setting as (key path, field), in shown order."""
    for name, field in ordered_fields(model):
        inner = section_model(field)
        if inner is None:
            yield (*prefix, name), field
        else:
            yield from walk(inner, (*prefix, name))


def _comment(text: str | None, indent: str) -> list[str]:
    if not text:
        return []
    return textwrap.wrap(text, WIDTH - len(indent) - 2, initial_indent=f"{indent}# ",
                         subsequent_indent=f"{indent}# ", break_on_hyphens=False)


def _value_lines(name: str, value: Any, indent: str) -> list[str]:
    dumped = yaml.safe_dump({name: value}, default_flow_style=False, sort_keys=False,
                            allow_unicode=True, width=1000)
    return [indent + line for line in dumped.splitlines()]


def _lines(model: type[BaseModel], values: dict[str, Any], depth: int) -> list[str]:
    indent = "  " * depth
    lines: list[str] = []
    for name, field in ordered_fields(model):
        inner = section_model(field)
        if depth == 0 or inner is not None:
            lines.append("")
        lines += _comment(field.description, indent)
        if inner is None:
            lines += _value_lines(name, values[name], indent)
        else:
            lines.append(f"{indent}{name}:")
            lines += _lines(inner, values[name], depth + 1)
    return lines


def default_yaml() -> str:
    """The text of the packaged defaults/pipeline.yaml, generated from the models."""
    values = PipelineConfig().model_dump(mode="python")
    body = "\n".join(_lines(PipelineConfig, values, 0)).lstrip("\n")
    return HEADER + "\n" + body + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the packaged defaults (or the path given) and say where."""
    target = Path(argv[0]) if argv else default_path("pipeline.yaml")
    target.write_text(default_yaml(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
