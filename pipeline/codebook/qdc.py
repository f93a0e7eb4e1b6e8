"""REFI-QDA codebooks (``.qdc``, the exchange format of NVivo, ATLAS.ti, MAXQDA) in and out.

Export writes each theme as a codable ``Code`` (name = label, ``Description`` = description)
with a GUID derived from the theme id, so exporting twice gives the same file. Import reads
every ``Code`` (nested codes too, flattened) into a theme whose id is the slug of its name
(prefixed with its parent's when two names would clash). Examples and keywords have no place
in the format: they are not exported, and imported themes start without them.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from pipeline.config.models import ThemesConfig, slugify
from pipeline.errors import DataError

NAMESPACE = "urn:QDA-XML:codebook:1.0"
GUID_ROOT = uuid.UUID("6f1c8c52-2d4e-4f0b-9a53-3c1b7e0f5a10")  # ours: stable theme GUIDs


def export_qdc(themes: ThemesConfig) -> str:
    """The themes as a REFI-QDA codebook document (UTF-8 XML text)."""
    ET.register_namespace("", NAMESPACE)
    book = ET.Element(f"{{{NAMESPACE}}}CodeBook", {"origin": "comment-theming"})
    codes = ET.SubElement(book, f"{{{NAMESPACE}}}Codes")
    for theme in themes.themes:
        code = ET.SubElement(codes, f"{{{NAMESPACE}}}Code", {
            "guid": str(uuid.uuid5(GUID_ROOT, theme.id)), "name": theme.label,
            "isCodable": "true"})
        if theme.description:
            ET.SubElement(code, f"{{{NAMESPACE}}}Description").text = theme.description
    ET.indent(book)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(book, encoding="unicode") + "\n"


def import_qdc(path: str | Path) -> dict:
    """A ``.qdc`` file -> the themes.yaml mapping (``version``, ``themes``)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise DataError(f"{path}: not a readable REFI-QDA codebook ({exc}); export it again as "
                        ".qdc", code="D021") from None
    found: list[tuple[str, str, str]] = []  # (name, description, parent name)

    def walk(element: ET.Element, parent: str) -> None:
        for code in element:
            if code.tag != f"{{{NAMESPACE}}}Code":
                continue
            name = (code.get("name") or "").strip()
            description = code.findtext(f"{{{NAMESPACE}}}Description") or ""
            if name and code.get("isCodable", "true") != "false":
                found.append((name, " ".join(description.split()), parent))
            walk(code, name)

    for codes in root.iter(f"{{{NAMESPACE}}}Codes"):
        walk(codes, "")
    if not found:
        raise DataError(f"{path}: no codes found; is it a REFI-QDA codebook (urn:QDA-XML)?",
                        code="D021")
    names = [slugify(name) for name, _, _ in found]
    themes = []
    for (name, description, parent), slug in zip(found, names, strict=True):
        theme_id = slug if names.count(slug) == 1 or not parent else f"{slugify(parent)}_{slug}"
        if not theme_id or not theme_id[0].isalpha():
            theme_id = f"theme_{theme_id}"
        themes.append({"id": theme_id, "label": name, "description": description})
    return {"version": 1, "themes": themes}
