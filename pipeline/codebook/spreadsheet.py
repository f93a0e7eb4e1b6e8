"""Import a codebook (CSV/XLSX: id, label, description, examples; optional includes and
excludes criteria, one a line) as a themes.yaml.

Real codebooks write their examples as a quoted list (``'Thank you', 'Very good'``), with
section headings (``POSITIVE:``), curly quotes and the odd missing quote; or one example per
line or per semicolon. Ids are kept (slug of the label when absent). Keywords are proposed
from the label and from words typical of a theme's examples, and written to
``proposed_keywords``: a reviewer accepts one by moving it to ``keywords``. Proposed keywords
match only when ``tag.advanced.use_proposed_keywords`` is true in pipeline.yaml.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

from pipeline.config.models import SLUG, slugify
from pipeline.errors import DataError, one_of
from pipeline.io.readers import read_table

ID_COLUMNS = ("id", "code", "theme_id", "code_id")
LABEL_COLUMNS = ("label", "name", "theme", "title", "category_name")
DESCRIPTION_COLUMNS = ("description", "definition", "memo")
EXAMPLE_COLUMNS = ("examples", "example", "longer_examples", "quotes")
INCLUDES_COLUMNS = ("includes", "inclusion", "inclusion criteria", "inclusion_criteria")
EXCLUDES_COLUMNS = ("excludes", "exclusion", "exclusion criteria", "exclusion_criteria")
HEADING = re.compile(r"(?m)(?:^|(?<=\n))\s*[A-Z][A-Z /&-]{2,}:\s*")
QUOTED = re.compile(r"""(?:^|(?<=[\s,:;(]))[‘'"“]\s*(.+?)\s*[’'"”](?=\s*(?:[,;.)]|$))""",
                    re.MULTILINE | re.DOTALL)
LABEL_PARTS = re.compile(r"\s*(?:&|/|,|;|\band\b)\s*", re.IGNORECASE)
WORD = re.compile(r"(?!x{3})[a-z][a-z'-]*[aeiouy][a-z'-]*")


def split_examples(cell: str) -> list[str]:
    """The separate examples written in one codebook cell, in order, without duplicates."""
    text = HEADING.sub("\n", str(cell or "")).strip()
    if not text:
        return []
    found: list[str] = []
    if QUOTED.search(text):
        found += [m.group(1) for m in QUOTED.finditer(text)]
        rest = QUOTED.sub("\n", text)
        found += [piece for piece in re.split(r"[\n,;]", rest)
                  if len(piece.strip(" ‘’'\"“”.").split()) >= 2]
    elif "\n" in text or ";" in text:
        found = re.split(r"[\n;]+", text)
    else:
        found = text.split(",") if text.count(",") >= 1 and len(text) < 400 else [text]
    cleaned = (" ".join(piece.strip(" ‘’'\"“”\t").split()) for piece in found)
    return list(dict.fromkeys(e for e in cleaned if e and any(ch.isalpha() for ch in e)))


def split_criteria(cell: str) -> list[str]:
    """The criteria written in one codebook cell: one a line or between semicolons, without
    bullet marks (commas stay inside a criterion)."""
    pieces = (re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", piece)
              for piece in re.split(r"[\n;]+", str(cell or "")))
    return list(dict.fromkeys(" ".join(p.split()) for p in pieces if p.strip()))


def _column(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    lowered = {c.lower().strip(): c for c in columns}
    return next((lowered[c] for c in candidates if c in lowered), None)


def label_keywords(label: str) -> list[str]:
    """Phrases of a label: 'Food & drink provision' -> ['food', 'drink provision']."""
    parts = [p.strip().lower() for p in LABEL_PARTS.split(label)]
    return [p for p in parts if len(p) > 2 and p not in ("other", "general")]


def example_keywords(examples_by_theme: dict[str, list[str]], top: int = 5) -> dict[str, list[str]]:
    """Per theme, the words most typical of its examples compared with the other themes'."""
    from pipeline.embed.embedders import lemma_tokens

    counts = {tid: Counter(w for e in ex for w in set(lemma_tokens(e)) if WORD.fullmatch(w))
              for tid, ex in examples_by_theme.items()}
    themes_with = Counter(w for c in counts.values() for w in c)
    n_themes = max(len(counts), 1)
    proposed = {}
    for tid, counter in counts.items():
        ranked = sorted(counter, key=lambda w: (-counter[w] * (n_themes / themes_with[w]), w))
        proposed[tid] = [w for w in ranked if counter[w] >= 2][:top]
    return proposed


def import_codebook(path: str | Path) -> dict:
    """Codebook file -> the themes.yaml mapping (``version``, ``themes``)."""
    frame = read_table(path).frame
    columns = [c for c in frame.columns if not c.startswith("_")]
    id_col, label_col = _column(columns, ID_COLUMNS), _column(columns, LABEL_COLUMNS)
    if label_col is None and id_col is None:
        raise DataError(f"{path}: a codebook needs a label or id column (one of "
                        f"{one_of(LABEL_COLUMNS + ID_COLUMNS)}); columns are {one_of(columns)}",
                        code="D021")
    description_col = _column(columns, DESCRIPTION_COLUMNS)
    example_cols = [c for c in columns if c.lower().strip() in EXAMPLE_COLUMNS]
    criteria_cols = {"includes": _column(columns, INCLUDES_COLUMNS),
                     "excludes": _column(columns, EXCLUDES_COLUMNS)}
    themes, seen = [], {}
    for row in frame.to_dict(orient="records"):
        label = str(row[label_col]).strip() if label_col else ""
        raw_id = str(row[id_col]).strip() if id_col else ""
        if not label and not raw_id:
            continue
        theme_id = raw_id if SLUG.match(raw_id) else slugify(raw_id or label)
        if not theme_id or not SLUG.match(theme_id):
            theme_id = f"theme_{theme_id}" if theme_id else f"theme_{len(themes) + 1}"
        if theme_id in seen:
            raise DataError(f"{path} row {row['_row']}: id '{theme_id}' repeats row "
                            f"{seen[theme_id]}; give each code its own id", code="D021")
        seen[theme_id] = row["_row"]
        examples = list(dict.fromkeys(e for c in example_cols for e in split_examples(row[c])))
        themes.append({"id": theme_id, "label": label or raw_id,
                       "description": " ".join(str(row[description_col]).split())
                       if description_col else "",
                       "examples": examples, "proposed_keywords": label_keywords(label or raw_id)})
        themes[-1].update({field: split_criteria(row[column])
                           for field, column in criteria_cols.items()
                           if column and split_criteria(row[column])})
    if not themes:
        raise DataError(f"{path}: no codes found; each row needs a label or id", code="D021")
    from_examples = example_keywords({t["id"]: t["examples"] for t in themes})
    for theme in themes:
        proposed = theme["proposed_keywords"] + from_examples[theme["id"]]
        theme["proposed_keywords"] = list(dict.fromkeys(proposed))
    return {"version": 1, "themes": themes}


def render_themes_yaml(config: dict, source: str) -> str:
    """The imported config as YAML, with a header saying where it came from."""
    header = (f"# Themes imported from {source} by `theming themes import`.\n"
              "# proposed_keywords were guessed from labels and examples: move the good ones to\n"
              "# keywords (proposed ones only match when tag.advanced.use_proposed_keywords is\n"
              "# true).\n")
    body = yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100)
    return header + body
