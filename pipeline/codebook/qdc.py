"""REFI-QDA codebooks (``.qdc``, the exchange format of NVivo, ATLAS.ti, MAXQDA) in and out.

Export writes each theme as a codable ``Code`` (name = label, ``Description`` = description,
a colour from a colour-blind-safe palette by theme order; the theme's ``includes`` and
``excludes`` criteria follow the description under their own headings) with a GUID derived
from the theme id, so exporting twice gives the same file; a sub-theme's ``Code`` nests inside
its parent's (``parent:``). Import reads every ``Code`` (nested codes too, flattened) into a
theme whose id is the slug of its name (prefixed with its parent's when two names would
clash); a codable code directly inside a top-level codable code becomes its sub-theme
(``parent:``), deeper ones stay flat (themes nest two levels deep); a description that ends
in our "Includes:"/"Excludes:" lists gives them back as ``includes:``/``excludes:``. Examples and keywords have no place in the format: they are not exported,
and imported themes start without them. ``add_codes`` and ``read_codes`` are shared with the
project export and import (``pipeline.codebook.qdpx``), whose codebook is the same.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from pipeline.config.models import Theme, ThemesConfig, slugify
from pipeline.errors import DataError

NAMESPACE = "urn:QDA-XML:codebook:1.0"
GUID_ROOT = uuid.UUID("6f1c8c52-2d4e-4f0b-9a53-3c1b7e0f5a10")  # ours: stable theme GUIDs
# Okabe and Ito's colour-blind-safe palette (yellow last: hard to read on white), then grey
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#999999")


@dataclass(frozen=True)
class FoundCode:
    """A codable code read from a REFI-QDA file, with the theme id an import gives it."""

    guid: str
    name: str
    description: str
    theme_id: str
    parent: str = ""  # the theme id of the code it nests in, when that is a top-level code
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()


def code_guid(theme_id: str) -> str:
    """The GUID a theme's code gets in every export (codebook and project alike)."""
    return str(uuid.uuid5(GUID_ROOT, theme_id))


def code_description(theme: Theme) -> str:
    """A code's ``Description``: the theme's description, then its ``includes`` and
    ``excludes`` criteria as lists under their own headings (the format has no fields for
    them)."""
    parts = [theme.description] if theme.description else []
    for heading, criteria in (("Includes", theme.includes), ("Excludes", theme.excludes)):
        if criteria:
            parts.append(f"{heading}:\n" + "\n".join(f"- {c}" for c in criteria))
    return "\n\n".join(parts)


def split_description(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """``code_description`` read back: (description, includes, excludes). Only paragraphs that
    are exactly a heading line and "- " items are taken as criteria; any other text stays in
    the description, whitespace folded."""
    kept, criteria = [], {"Includes": [], "Excludes": []}
    for paragraph in text.strip().split("\n\n"):
        lines = [line.strip() for line in paragraph.strip().splitlines()]
        heading = lines[0][:-1] if lines and lines[0].endswith(":") else ""
        if heading in criteria and len(lines) > 1 and all(line.startswith("- ")
                                                           for line in lines[1:]):
            criteria[heading] += [" ".join(line[2:].split()) for line in lines[1:]]
        else:
            kept.append(paragraph)
    return (" ".join(" ".join(kept).split()), tuple(criteria["Includes"]),
            tuple(criteria["Excludes"]))


def add_codes(parent: ET.Element, themes: ThemesConfig, namespace: str,
              notes: dict[str, list[str]] | None = None) -> ET.Element:
    """Add a ``Codes`` element to ``parent``: one codable ``Code`` per theme (guid, name =
    label, color, ``Description``, and a ``NoteRef`` to each GUID in ``notes[theme id]``), a
    sub-theme's inside its parent's (after the parent's own elements)."""
    codes = ET.SubElement(parent, f"{{{namespace}}}Codes")
    parents = themes.parents()
    elements: dict[str, ET.Element] = {}
    ordered = sorted(enumerate(themes.themes), key=lambda pair: pair[1].id in parents)
    for index, theme in ordered:  # parents first, so a sub-theme finds its parent's element
        holder = elements[parents[theme.id]] if theme.id in parents else codes
        code = elements[theme.id] = ET.SubElement(holder, f"{{{namespace}}}Code", {
            "guid": code_guid(theme.id), "name": theme.label, "isCodable": "true",
            "color": PALETTE[index % len(PALETTE)]})
        if theme.description or theme.includes or theme.excludes:
            ET.SubElement(code, f"{{{namespace}}}Description").text = code_description(theme)
        for note in (notes or {}).get(theme.id, []):
            ET.SubElement(code, f"{{{namespace}}}NoteRef", {"targetGUID": note})
    return codes


def export_qdc(themes: ThemesConfig) -> str:
    """The themes as a REFI-QDA codebook document (UTF-8 XML text)."""
    ET.register_namespace("", NAMESPACE)
    book = ET.Element(f"{{{NAMESPACE}}}CodeBook", {"origin": "comment-theming"})
    add_codes(book, themes, NAMESPACE)
    ET.indent(book)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(book, encoding="unicode") + "\n"


def read_codes(root: ET.Element, namespace: str) -> list[FoundCode]:
    """Every codable code under ``root``'s ``Codes`` (nested ones flattened, in document
    order), each with the theme id an import gives it."""
    # (guid, name, description, parent name, index in found of a top-level codable parent)
    found: list[tuple[str, str, tuple, str, int | None]] = []

    def walk(element: ET.Element, parent: str, depth: int, top: int | None) -> None:
        for code in element:
            if code.tag != f"{{{namespace}}}Code":
                continue
            name = (code.get("name") or "").strip()
            description = code.findtext(f"{{{namespace}}}Description") or ""
            here = None
            if name and code.get("isCodable", "true") != "false":
                here = len(found)
                found.append((code.get("guid") or "", name, split_description(description),
                              parent, top if depth == 1 else None))
            walk(code, name, depth + 1, here if depth == 0 else None)

    for codes in root.iter(f"{{{namespace}}}Codes"):
        walk(codes, "", 0, None)
    names = [slugify(name) for _, name, _, _, _ in found]
    ids = []
    for (_, _, _, parent, _), slug in zip(found, names, strict=True):
        theme_id = slug if names.count(slug) == 1 or not parent else f"{slugify(parent)}_{slug}"
        ids.append(theme_id if theme_id and theme_id[0].isalpha() else f"theme_{theme_id}")
    return [FoundCode(guid, name, text, theme_id, "" if top is None else ids[top],
                      includes, excludes)
            for (guid, name, (text, includes, excludes), _, top), theme_id
            in zip(found, ids, strict=True)]


def themes_of(codes: list[FoundCode], path: str | Path) -> dict:
    """``codes`` as the themes.yaml mapping (``version``, ``themes``); D021 when none."""
    if not codes:
        raise DataError(f"{path}: no codes found; is it a REFI-QDA codebook or project (urn:QDA-XML)?",
                        code="D021")
    return {"version": 1, "themes": [{"id": c.theme_id, "label": c.name,
                                      "description": c.description,
                                      **({"parent": c.parent} if c.parent else {}),
                                      **({"includes": list(c.includes)} if c.includes else {}),
                                      **({"excludes": list(c.excludes)} if c.excludes else {})}
                                     for c in codes]}


def import_qdc(path: str | Path) -> dict:
    """A ``.qdc`` file -> the themes.yaml mapping (``version``, ``themes``)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise DataError(f"{path}: not a readable REFI-QDA codebook ({exc}); export it again as "
                        ".qdc", code="D021") from None
    return themes_of(read_codes(root, NAMESPACE), path)
