"""Stance rules, quote selection rules and recommendations on the shipped sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.drafting import quotes as quote_rules
from pipeline.text.stance import ASK, NEUTRAL, PRAISE, classify
from tests.conftest import ROOT, SAMPLE


@pytest.mark.parametrize("text, stance", [
    ("It was useful to have ministers there.", PRAISE),
    ("We need a stronger ministerial presence.", ASK),
    ("Having the minister there was not useful at all.", ASK),        # negated praise
    ("It would be useful to see the minister more often.", ASK),      # conditional praise
    ("Good to have the minister there, but it felt like a set-piece.", ASK),  # contrast
    ("Thank you to the secretariat for all their hard work.", PRAISE),
    ("Papers arrive far too late to prepare properly.", ASK),
    ("The meeting was held in March.", NEUTRAL),
])
def test_stance(text, stance):
    assert classify(text) == stance


def test_trim_keeps_a_verbatim_span():
    text = "First point about pay. The minister should come more often. Last bit."
    start = text.index("The minister")
    spans = [(start, text.index("Last") - 1)]
    quote = quote_rules.trim(text, spans, spans[0], max_words=70)
    assert quote == "The minister should come more often." and quote in text


def test_trim_falls_back_to_the_best_sentence_then_gives_up():
    text = "One two three four. Five six seven eight nine ten. Eleven twelve."
    spans = [(0, 19), (51, 65)]
    assert quote_rules.trim(text, spans, (0, 19), max_words=5) == "One two three four."
    assert quote_rules.trim(text, spans, (20, 50), max_words=3) is None


def candidate(comment_id, respondent, group):
    quote = f"Quote number {comment_id} from respondent {respondent}."
    return quote_rules.QuoteCandidate(comment_id, respondent, group, "q", quote, ASK)


def test_select_skips_a_repeated_quote():
    copied = "Copied text here, word for word."
    same = [quote_rules.QuoteCandidate(f"c{i}", f"r{i}", "A", "q", copied, ASK) for i in range(2)]
    assert quote_rules.select(same, np.eye(2), np.ones(2), count=2, diversity=0.5) == [0]


def test_select_one_per_respondent_and_spread_over_groups():
    found = [candidate("c1", "r1", "A"), candidate("c2", "r1", "A"), candidate("c3", "r2", "A"),
             candidate("c4", "r3", "B"), candidate("c5", "r4", "C")]
    vectors = np.eye(5)
    chosen = quote_rules.select(found, vectors, np.ones(5) / np.sqrt(5), count=3, diversity=0.5)
    respondents = [found[i].respondent_id for i in chosen]
    groups = [found[i].group for i in chosen]
    assert len(set(respondents)) == len(respondents) == 3
    assert sorted(groups) == ["A", "B", "C"]


def test_select_prefers_representative_then_diverse():
    found = [candidate(f"c{i}", f"r{i}", "A") for i in range(4)]
    centre = np.array([1.0, 0.0])
    vectors = np.array([[1.0, 0.0], [0.99, 0.14], [0.6, 0.8], [-1.0, 0.0]])
    first = quote_rules.select(found, vectors, centre, count=1, diversity=0.0)
    assert first == [0]
    two = quote_rules.select(found, vectors, centre, count=2, diversity=0.7)
    assert two[0] == 0 and two[1] == 2  # not the near-duplicate c1


@pytest.fixture(scope="module")
def sample_tables(sample_every_table):
    from pipeline import load_settings

    return sample_every_table, load_settings(ROOT / "config" / "pipeline.yaml")


def test_quotes_are_verbatim_redacted_and_one_per_respondent(sample_tables):
    tables, settings = sample_tables
    quotes, comments = tables["quotes"], tables["comments"].set_index("comment_id")
    assert len(quotes)
    for quote in quotes.itertuples(index=False):
        assert quote.quote in comments.loc[quote.comment_id, "text"]
        assert len(quote.quote.split()) <= settings.pipeline.recommend.advanced.max_quote_words
    assert not quotes["quote"].str.contains("Whitfield|@example", regex=True).any()
    assert not quotes.duplicated(["key", "respondent_id"]).any()


def test_drafted_recommendations(sample_tables):
    tables, settings = sample_tables
    recs, quotes = tables["recommendations"], tables["quotes"]
    drafted = recs[recs["status"] == "drafted"]
    assert len(drafted) >= 4
    support = drafted["n_respondents"].tolist()
    themes = drafted[drafted["kind"] == "theme"]
    for rec in themes.itertuples(index=False):
        owner = settings.themes.by_id()[rec.key].recommendation.owner
        assert rec.text.startswith(f"{owner} to ") and rec.text.endswith(".")
    for rec in drafted.itertuples(index=False):
        asks = quotes[(quotes["key"] == rec.key) & (quotes["stance"] != PRAISE)]
        assert settings.pipeline.recommend.advanced.quotes_min <= len(asks) \
            <= settings.pipeline.recommend.quotes_max, rec.key
        assert rec.evidence_line.startswith(f"raised by {rec.n_respondents} of ")
    assert recs["rank"].tolist() == list(range(1, len(recs) + 1))
    assert support == sorted(support, reverse=True)  # ranked by support


def test_planted_topics_become_candidates_and_praise_does_not(sample_tables):
    tables, _ = sample_tables
    key = pd.read_csv(SAMPLE / "answer_key.csv", keep_default_na=False)
    key = key.assign(comment_id=key["respondent_id"] + "." + key["question"])
    answers = tables["answers"].merge(key[["comment_id", "topic"]], on="comment_id")
    for topic in ("late_papers", "virtual_meetings"):  # the two planted off-theme topics
        planted = answers[answers["topic"] == topic]
        assert (planted["candidate_themes"] != "").mean() >= 0.75, topic
    candidates = tables["clusters"][tables["clusters"]["status"] == "candidate"]
    for label in candidates["label"]:
        assert not {"good", "thanks", "year", "forum"} & set(label.replace(",", " ").split())


def one_voice(settings, text="We need a minister.", **recommend_settings):
    """recommend() on one respondent's one sentence tagged ministerial_presence."""
    from pipeline.stages import recommend
    from pipeline.stages.schemas import CLUSTERS, SENTENCE_CLUSTERS, empty

    if recommend_settings:
        pipeline = settings.pipeline.model_copy(update={"recommend": settings.pipeline.recommend
                                                        .updated(**recommend_settings)})
        settings = settings.model_copy(update={"pipeline": pipeline})
    comments = pd.DataFrame({"comment_id": ["a.q"], "respondent_id": ["a"], "group": ["G"],
                             "question": ["q"], "text": [text],
                             "source": ["x"], "row": [2], "redactions": [""]})
    sentences = pd.DataFrame({"sentence_id": ["a.q#1"], "comment_id": ["a.q"],
                              "respondent_id": ["a"], "group": ["G"], "question": ["q"],
                              "sentence_index": [1], "start": [0], "end": [len(text)],
                              "text": [text]})
    tags = pd.DataFrame({"comment_id": ["a.q"], "sentence_id": ["a.q#1"],
                         "theme_id": ["ministerial_presence"], "method": ["keyword"],
                         "score": [1.0], "evidence": ["minister"], "start": [0], "end": [5]})
    comment_themes = pd.DataFrame({"comment_id": ["a.q"], "theme_id": ["ministerial_presence"],
                                   "score": [1.0], "methods": ["keyword"], "n_sentences": [1],
                                   "evidence": ["minister"]})
    produced = recommend.recommend(comments, sentences, tags, comment_themes, empty(CLUSTERS),
                                   empty(SENTENCE_CLUSTERS), settings)
    return produced["recommendations"].set_index("key").loc["ministerial_presence"]


def test_too_little_evidence_is_listed_with_its_count(settings):
    row = one_voice(settings, small_round=0)  # small rounds off: min_support 2 holds
    assert row["status"] == "too_little_evidence" and row["n_respondents"] == 1
    assert row["text"] == "" and row["note"] == ""


def test_small_round_drafts_one_clear_ask_and_marks_it(settings):
    row = one_voice(settings)
    assert row["status"] == "drafted" and row["n_respondents"] == 1
    assert row["text"].startswith("DHSC to ") and row["note"] == "raised by 1 respondent"


def test_small_round_drafts_nothing_without_an_ask(settings):
    row = one_voice(settings, text="Having the minister attend in March gave the meeting weight.")
    assert row["status"] == "too_little_evidence" and row["text"] == ""
    praised = one_voice(settings, text="It was really useful to have the minister there.")
    assert praised["status"] == "praised" and praised["text"] == ""


def test_min_support_as_a_share_of_the_round():
    from pipeline.config.models import Theme

    theme = Theme(id="t", label="T", min_support=0.05)
    assert [theme.support_needed(n) for n in (0, 18, 20, 21, 144)] == [1, 1, 1, 2, 8]
    assert Theme(id="t", label="T", min_support=3).support_needed(144) == 3


def test_a_theme_carried_by_many_sentences_is_quoted_from_a_bounded_pool(
        sample_every_table, monkeypatch):
    from pipeline import load_settings
    from pipeline.embed.base import CachedEmbedder
    from pipeline.stages import recommend

    tables = dict(sample_every_table)
    settings = load_settings(ROOT / "config" / "pipeline.yaml")
    needed = {name: tables[name] for name in recommend.REQUIRES}
    whole = recommend.run(needed, settings)
    embedded: list[int] = []
    real = CachedEmbedder.transform

    def counting(self, texts):
        embedded.append(len(texts))
        return real(self, texts)

    monkeypatch.setattr(CachedEmbedder, "transform", counting)
    monkeypatch.setattr(recommend._QuotePicker, "POOL", 6)
    pooled = recommend.run(needed, settings)
    # never more than a pool of sentences embedded at once (and never the whole round)
    assert embedded and max(embedded) <= 6
    quotes = pooled["quotes"]
    carried = whole["quotes"]["key"].unique()
    assert set(quotes["key"]) == set(carried)  # every theme still quoted
    assert quotes["quote"].map(lambda q: any(q in t for t in tables["comments"]["text"])).all()
