"""Keywords made only of everyday words (``tag.advanced.everyday_words``): such a keyword
never tags a sentence alone, so ``theming themes check`` warns about it."""

from __future__ import annotations

from pipeline.config.themes import ThemesConfig
from pipeline.text.nlp import lemma


def everyday_keywords(themes: ThemesConfig, everyday_words: list[str]) -> list[tuple[str, str]]:
    """(theme id, keyword) for every keyword made only of ``everyday_words`` (compared on
    lookup lemmas): such a keyword never tags a sentence alone."""
    everyday = {lemma(w) for phrase in everyday_words for w in phrase.split()}
    return [(theme.id, keyword) for theme in themes.themes for keyword in theme.keywords
            if all(lemma(word.strip(".,;:!?")) in everyday for word in keyword.split())]
