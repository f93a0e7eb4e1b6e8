"""A small real-shaped round, built in memory: a partnership forum's member survey with 18
respondents in three groups (one below the report's minimum group size), five statements
answered in words on the agreement scale, and two free-text questions.

Planted: two respondents raising coordination with the NHS Staff Council (no theme covers
it); communications praised by as many as ask for a change; one lone ask about ministers;
a name and an email that must reach no output."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

UNION, EMPLOYER, POLICY = "NHS trade union member", "Employer", "Policy lead"
STATEMENTS = {
    "Q1 Engagement": "Partners are engaged early enough in policy development",
    "Q2 Employers": "Employers are well represented at the forum",
    "Q3 Integrated care": "The forum has adapted to integrated care systems",
    "Q4 Communications": "The forum communicates its work well",
    "Q5 Ministers": "Ministers attend the forum often enough",
}
LINKED = {"Q1 Engagement": "early_engagement", "Q4 Communications": "communications"}
PLANTED_NAME, PLANTED_EMAIL = "Priya Okafor", "priya.okafor@example.org"
LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree",
          5: "Strongly agree", 0: ""}

# id, group, five scores (0 = blank), what works well, what should change
ROWS = [
    ("T01", UNION, (1, 3, 3, 2, 3), "The chairing is fair.",
     "Partners need to be involved much earlier, before decisions are made."),
    ("T02", UNION, (2, 3, 3, 4, 3), "The quarterly newsletter is excellent and very clear.",
     "We are consulted after the policy is already decided; engage us at the start."),
    ("T03", UNION, (1, 4, 3, 2, 2), "Colleagues are friendly.",
     (f"{PLANTED_NAME} said coordination with the NHS Staff Council needs to improve, "
     f"write to {PLANTED_EMAIL} for the detail.")),
    ("T04", UNION, (2, 3, 4, 3, 0), "Good chairing.",
     "Policy engagement comes far too late for partners to shape anything."),
    ("T05", UNION, (4, 3, 3, 4, 3), "The briefings after each meeting are really helpful.",
     "Nothing to add."),
    ("T06", UNION, (3, 2, 3, 2, 3), "Meetings start on time.",
     ("The forum should coordinate with the NHS Staff Council so that the two agendas do not "
     "overlap.")),
    ("T07", UNION, (2, 4, 3, 3, 4), "Good venue.",
     "Members should be involved earlier in policy development, not after decisions."),
    ("T08", UNION, (4, 4, 4, 4, 4), "It works well overall.", "No comment."),
    ("E01", EMPLOYER, (3, 2, 3, 2, 3), "Useful networking.",
     ("We rarely hear back about meeting outcomes, and the newsletter needs to be more "
     "regular.")),
    ("E02", EMPLOYER, (4, 1, 3, 3, 3), "Well organised.",
     "We need more employers at the table; the employer voice gets lost."),
    ("E03", EMPLOYER, (3, 2, 2, 2, 3), "The secretariat is responsive.",
     "Communications about what was agreed should reach members within a week."),
    ("E04", EMPLOYER, (4, 3, 4, 3, 2), "Fine as it is.",
     "We need a minister to attend the forum at least once a year."),
    ("E05", EMPLOYER, (3, 2, 3, 4, 3), "Good papers.", "None."),
    ("E06", EMPLOYER, (4, 3, 3, 3, 3), "Helpful colleagues.", "No changes needed."),
    ("E07", EMPLOYER, (3, 2, 4, 3, 0), "Good discussions.", "Nothing."),
    ("P01", POLICY, (5, 4, 4, 4, 4), "Constructive atmosphere.", "N/A"),
    ("P02", POLICY, (4, 4, 5, 4, 4), "Well run.", ("Partners should be engaged earlier on "
     "policy, before options are closed.")),
    ("P03", POLICY, (4, 5, 4, 5, 4), "Everything.", "Nothing to change."),
]


def round_frame() -> pd.DataFrame:
    """The round as an export: one row per respondent, statements as answer words."""
    records = []
    for rid, group, scores, works, change in ROWS:
        record = {"Respondent": rid, "Member type": group}
        record |= {column: LABELS[score] for column, score in zip(STATEMENTS, scores,
                                                                   strict=True)}
        records.append(record | {"What works well": works, "What should change": change})
    return pd.DataFrame(records)


def write_project(folder: Path, root: Path, linked: dict[str, str] = LINKED) -> Path:
    """The round as a CSV and a project pipeline.yaml beside it; returns the config."""
    round_frame().to_csv(folder / "forum_round.csv", index=False)
    scores = "".join(
        f"    - column: {column}\n      statement: {words}\n"
        + (f"      theme: {linked[column]}\n" if column in linked else "")
        for column, words in STATEMENTS.items())
    config = folder / "pipeline.yaml"
    config.write_text(
        "version: 1\n"
        f"themes: {root / 'config' / 'themes.yaml'}\n"
        "input:\n  id_column: Respondent\n  group_column: Member type\n"
        "  text_columns:\n    - {column: What works well, question: works}\n"
        "    - {column: What should change, question: change}\n"
        f"  score_columns:\n{scores}"
        f"clean:\n  redact:\n    names:\n      - {PLANTED_NAME}\n"
        "discover:\n  advanced:\n    candidate_min_respondents: 2\n"
        "report:\n  survey: Partnership forum member survey\n  round: Autumn 2026\n",
        encoding="utf-8")
    return config
