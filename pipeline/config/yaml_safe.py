"""Config YAML read so that a file cannot attack the machine.

Anchors and aliases (``&a`` / ``*a``) are refused while the file is only being tokenised,
before anything expands them: a 500-byte "billion laughs" file would otherwise grow to
gigabytes when composed. Files over ``MAX_CONFIG_BYTES`` are refused before they are read.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.errors import ConfigError

MAX_CONFIG_BYTES = 1_000_000  # a full themes.yaml of 200 themes is about 100 kB


def check_config_size(path: Path) -> None:
    """Raise C013 when ``path`` is larger than a config file can reasonably be."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader reports a missing or unreadable file with its own error
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: {size:,} bytes, over the {MAX_CONFIG_BYTES:,}-byte limit for "
                          "a config file; is this the right file? split large word lists "
                          "into a names file", code="C013")


def refuse_anchors(path: Path, text: str) -> None:
    """Raise C014 naming the line of the first anchor or alias; nothing is expanded."""
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                kind = "anchor '&" if isinstance(token, yaml.AnchorToken) else "alias '*"
                raise ConfigError(
                    f"{path} line {token.start_mark.line + 1}: YAML {kind}{token.value}' is not "
                    "allowed in a config file (anchors and aliases can make a small file expand "
                    "without limit); write the value out in full", code="C014")
    except yaml.YAMLError:
        return  # not valid YAML: the composer reports it with the line


def refuse_duplicate_keys(path: Path, node: yaml.Node | None) -> None:
    """Raise C017 naming both lines when a section repeats a key.

    PyYAML keeps the last value silently, so a second ``tag:`` section would quietly undo the
    first; a reviewer should see which one they meant.
    """
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                line = key.start_mark.line + 1
                if key.value in seen:
                    raise ConfigError(
                        f"{path} line {line}: '{key.value}' is already set on line "
                        f"{seen[key.value]} of the same section; keep one of them (YAML would "
                        "silently use the last)", code="C017")
                seen[key.value] = line
            refuse_duplicate_keys(path, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            refuse_duplicate_keys(path, item)
