"""A draft in the respondents' words, and whether any respondent asked for the configured action.

``action_asked`` is decided by lemma overlap, not semantic similarity: the configured action's
content words (lookup lemmas, stop words out: ``pipeline.embed.embedders.lemma_tokens``) are
compared with each ask sentence's; the action counts as asked for when one respondent's ask
shares at least half of them (at least two). Overlap is transparent (an author can see the
shared words) and needs no threshold tuned on data; it misses paraphrases ("more employers"
for "increase employer representation"), so a ``False`` means "check", not "nobody wants it".
"""

from __future__ import annotations

import math

from pipeline.drafting.shares import people

MIN_SHARED = 2


def action_asked(action: str, ask_sentences: list[str]) -> bool:
    """True when one ask sentence shares at least half (and at least ``MIN_SHARED``) of the
    action's content lemmas."""
    from pipeline.embed.embedders import lemma_tokens

    wanted = set(lemma_tokens(action))
    if not wanted:
        return False
    need = max(min(MIN_SHARED, len(wanted)), math.ceil(len(wanted) / 2))
    return any(len(wanted & set(lemma_tokens(text))) >= need for text in ask_sentences)


def draft_text(owner: str, phrases: list[str], n_asking: int) -> str:
    """'<owner> to act on what 3 respondents asked for: “a”; “b”.' (the asks verbatim)."""
    who = owner or "[Owner to be agreed]"
    asked = f"{who} to act on what {people(n_asking)} asked for"
    if not phrases:
        return asked + " (see their words below)."
    return asked + ": " + "; ".join(f"“{p}”" for p in phrases) + "."
