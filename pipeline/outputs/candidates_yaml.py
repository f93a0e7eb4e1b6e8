"""candidate_themes.yaml: clusters no theme explains, in the themes.yaml format."""

from __future__ import annotations

import pandas as pd
import yaml


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
    if not themes:
        return header + "# No candidate themes this round.\nversion: 1\nthemes: []\n"
    body = yaml.safe_dump({"version": 1, "themes": themes}, sort_keys=False, allow_unicode=True,
                          width=100)
    return header + body
