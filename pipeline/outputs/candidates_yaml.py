"""candidate_themes.yaml: clusters no theme explains, in the themes.yaml format."""

from __future__ import annotations

import json

import pandas as pd
import yaml

from pipeline.config.models import slugify


def theme_stub(label: str, n_respondents: int, examples: list[str],
               min_support: int = 2) -> dict:
    """A theme-config entry for an emerging theme named by a phrase respondents share: the
    phrase is its label and keyword, their asks its examples."""
    return {"id": slugify(label) or "emerging_theme", "label": label,
            "description": (f"Raised by {n_respondents} respondents in their words about "
                            f"“{label}”; no configured theme covers it."),
            "keywords": [label.lower()], "examples": list(examples),
            "min_support": min_support}


def stub_yaml(theme: dict) -> str:
    """One theme entry as YAML to paste under ``themes:``."""
    return yaml.safe_dump([theme], sort_keys=False, allow_unicode=True, width=100)


def render_candidates_yaml(clusters: pd.DataFrame, min_support: int = 2,
                           recommendations: pd.DataFrame | None = None) -> str:
    """Candidate themes in the themes.yaml format: each loads with ``load_themes`` and can be
    pasted under ``themes:`` as it is. With ``recommendations``, each candidate's label and
    respondent count are the ones recommendations.md and .json show."""
    drafted = ({} if recommendations is None else
               recommendations[recommendations["kind"] == "candidate"].set_index("key")
               [["label", "n_respondents"]].to_dict("index"))
    header = ("# Candidate themes: clusters of comments that no theme in themes.yaml explains.\n"
              "# Review each; to adopt one, paste it under 'themes:' in config/themes.yaml,\n"
              "# rename the id and label, prune the keywords and add a recommendation.\n")
    candidates = clusters[clusters["status"] == "candidate"] if len(clusters) else clusters
    themes = []
    for cluster in candidates.itertuples(index=False):
        keywords = [k for k in str(cluster.keywords).split("|") if k][:6]
        shown = drafted.get(cluster.theme_id, {})
        label = str(shown.get("label") or cluster.label)
        people = int(shown.get("n_respondents", cluster.n_respondents))
        themes.append({
            "id": cluster.theme_id,
            "label": label[:1].upper() + label[1:],
            "description": (f"Proposed by discovery: raised by {people} respondents in their "
                            f"words about “{label}” (cluster words: "
                            f"{', '.join(keywords[:4])})."),
            "keywords": keywords,
            "examples": [e for e in str(cluster.examples).split("\n") if e],
            "min_support": min_support,
        })
    known = {t["id"] for t in themes}
    found = recommendations[(recommendations["kind"] == "candidate")
                            & (recommendations["status"] == "emerging")] \
        if recommendations is not None and len(recommendations) else []
    for rec in (found.itertuples(index=False) if len(found) else []):
        if rec.key not in known and rec.key not in set(candidates.get("theme_id", [])):
            themes.append(theme_stub(rec.label, int(rec.n_respondents),
                                     json.loads(rec.ask_phrases or "[]"), min_support))
    if not themes:
        return header + "# No candidate themes this round.\nversion: 1\nthemes: []\n"
    body = yaml.safe_dump({"version": 1, "themes": themes}, sort_keys=False, allow_unicode=True,
                          width=100)
    return header + body
