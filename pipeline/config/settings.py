"""Models of ``pipeline.yaml``, the analysts' file, and the one source of every default.

Each setting is a field with its default and a description. The settings an analyst changes
from one survey to the next sit directly in their section; the rest sit in the section's
``advanced:`` block (``discover.advanced.umap_epochs``). The packaged
``defaults/pipeline.yaml`` and ``docs/reference/settings.md`` are generated from these models
(``pipeline.config.generate``); a test fails when either drifts from them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.config.base import StrictModel
from pipeline.config.scales import Scale, ScoreColumn
from pipeline.config.themes import ThemesConfig
from pipeline.errors import did_you_mean

Embedder = Literal["tfidf-svd", "minilm", "minilm-onnx", "minilm-static"]
ADVANCED = "Settings most projects leave alone."

NON_ANSWERS = ["n/a", "na", "none", "no", "nil", "no comment", "no comments",
               "no further comments", "nothing", "nothing to add", "nothing further",
               "not applicable", "not sure", "don't know", "dont know", "see above", "as above"]
NO_THEME = ["Thank you for all your hard work.", "Keep up the good work.",
            "The forum is a valuable and worthwhile partnership.",
            "I value being a member of the forum.", "Overall the forum works well.",
            "No further comments.", "Nothing else to add."]
CASCADE_MARGIN = 0.01  # set by tag.advanced.cascade_from_rows; chosen on NHS FFT dev half A
# (bench/bench_cascade.py; half B keeps 100.9% / 100.7% of MiniLM's micro / macro F1), but the
# shipped sample's themes need 0.1-0.15 to keep MiniLM's hits, so the cascade is off by default
EVERYDAY_WORDS = ["update", "better", "good", "more", "improve"]
AGREEMENT = {
    "strongly disagree": 1, "fully disagree": 1, "completely disagree": 1,
    "disagree": 2, "partly disagree": 2, "tend to disagree": 2, "somewhat disagree": 2,
    "neither agree nor disagree": 3, "neither agree or disagree": 3, "neutral": 3, "neither": 3,
    "agree": 4, "partly agree": 4, "tend to agree": 4, "somewhat agree": 4,
    "strongly agree": 5, "fully agree": 5, "completely agree": 5,
    "don't know": None, "not applicable": None, "n/a": None, "prefer not to say": None}


class TextColumn(StrictModel):
    column: str = Field(min_length=1)
    question: str = Field(min_length=1)


# --------------------------------------------------------------------------- input


class InputAdvanced(StrictModel):
    delimiter: str | None = Field(None, description=(
        "The CSV field separator: ',', ';', '|' or tab (--delimiter); null sniffs it from the "
        "first lines, respecting quotes."))
    sheet: str | int | None = Field(None, description=(
        "XLSX only: the sheet's name or 0-based number (--sheet); null takes the first sheet "
        "holding the configured columns."))
    max_rows: int = Field(500000, ge=1, description=(
        "An export with more rows than this is refused, as a wrong or hostile file."))
    max_comment_chars: int = Field(2000000, ge=100, description=(
        "The longest answer accepted, in characters."))
    long_comments: Literal["error", "cut"] = Field("error", description=(
        "What a longer answer does: error stops the run naming its row; cut keeps its first "
        "max_comment_chars characters and warns."))

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = {"tab": "\t", "\\t": "\t"}.get(value.lower(), value)
        if len(value) != 1:
            raise ValueError(f"'{value}' is not one character; use e.g. ',', ';', '|' or 'tab'")
        return value


class InputSettings(StrictModel):
    id_column: str | None = Field(None, description=(
        "The respondent id column (--id-column); null numbers the rows instead (row2, row3, "
        "...)."))
    group_column: str | None = Field(None, description=(
        "The column of respondent groups that counts and quotes are split by (--group-column); "
        "null puts everyone in one group."))
    text_columns: list[TextColumn] = Field(default_factory=list, description=(
        "The free-text columns, each answer one comment: a list of {column: why_scores, "
        "question: why_scores}, the question a short id used in comment ids "
        "(--text-column)."))
    score_columns: list[ScoreColumn] = Field(default_factory=list, description=(
        "Agree/disagree statements kept per respondent (--score-column): a list of {column, "
        "statement, scale}; the statement is the words outputs show (\"\" = the column name in "
        "words), the scale one under scales:. A bare column name is a statement on the "
        "agreement scale."))
    encoding: str = Field("auto", description=(
        "The export's text encoding (--encoding): auto tries a byte order mark, then UTF-16, "
        "UTF-8 and cp1252; or name one, e.g. latin-1."))
    advanced: InputAdvanced = Field(default_factory=InputAdvanced, description=ADVANCED)

    @field_validator("score_columns", mode="before")
    @classmethod
    def _plain_names(cls, values: Any) -> Any:
        """A bare column name is a statement on the default agreement scale."""
        if not isinstance(values, list):
            return values
        return [{"column": v} if isinstance(v, str) else v for v in values]

    @property
    def score_names(self) -> list[str]:
        return [score.column for score in self.score_columns]


# --------------------------------------------------------------------------- clean


class RedactAdvanced(StrictModel):
    secret_file: str | None = Field(".theming-secret", description=(
        "The project secret that keys respondent pseudonyms and cache keys, written by "
        "theming init beside this file. It never goes into a run folder; never share or "
        "commit it (a project's .gitignore lists it)."))


class RedactSettings(StrictModel):
    emails: bool = Field(True, description="Replace email addresses with [EMAIL].")
    phones: bool = Field(True, description=(
        "Replace phone numbers with [PHONE]: UK numbers however written, +44 and other "
        "international numbers."))
    urls: bool = Field(True, description=(
        "Replace web addresses with [URL]: http(s)://, www. and bare domains such as "
        "nhs.uk/page."))
    handles: bool = Field(True, description="Replace social media @handles with [HANDLE].")
    nhs_numbers: bool = Field(True, description=(
        "Replace NHS numbers with [NHS_NUMBER]: ten digits, spaced or not, that pass the "
        "modulus 11 check."))
    ni_numbers: bool = Field(True, description=(
        "Replace National Insurance numbers (AB 12 34 56 C) with [NI_NUMBER]."))
    postcodes: bool = Field(True, description=(
        "Replace full UK postcodes (LS1 4AP) with [POSTCODE]."))
    titled_names: bool = Field(True, description=(
        "Replace a name after a title with [NAME]: Dr Patel, Nurse Jane, Mr O'Neill."))
    untitled_names: bool = Field(True, description=(
        "Replace a name written without a title with [NAME]: Priya Shah, sam okafor (name lists "
        "and the shape of the text, no model; organisations and places are kept)."))
    ner: bool = Field(True, description=(
        "Also replace PERSON entities when nlp.advanced.model is a spaCy pipeline with a named "
        "entity recogniser."))
    names: list[str] = Field(default_factory=list, description=(
        "People to redact wherever they appear, as whole words in any case."))
    names_file: str | None = Field(None, description=(
        "An optional UTF-8 file of more names to redact, one a line."))
    advanced: RedactAdvanced = Field(default_factory=RedactAdvanced, description=ADVANCED)


class CleanAdvanced(StrictModel):
    drop_duplicates: bool = Field(True, description=(
        "Keep one copy when a respondent gives the same answer twice."))
    fix_mojibake: bool = Field(True, description=(
        "Repair text garbled by a wrong encoding, such as \"donâ€™t\" (UTF-8 read as "
        "cp1252)."))


class CleanSettings(StrictModel):
    non_answers: list[str] = Field(default_factory=lambda: list(NON_ANSWERS), description=(
        "Answers that say nothing and are dropped, compared ignoring case and punctuation. "
        "Quote \"no\": YAML reads a bare no, yes, on or off as true/false."))
    redact: RedactSettings = Field(default_factory=RedactSettings, description=(
        "Personal data replaced by a placeholder naming what was removed ([EMAIL], [PHONE], "
        "...) before any text reaches an output."))
    advanced: CleanAdvanced = Field(default_factory=CleanAdvanced, description=ADVANCED)


# --------------------------------------------------------------------------- nlp


class NlpAdvanced(StrictModel):
    model: str = Field("blank", description=(
        "blank is spaCy's blank English with a sentencizer (works offline); or the name of a "
        "spaCy pipeline you installed yourself."))


class NlpSettings(StrictModel):
    advanced: NlpAdvanced = Field(default_factory=NlpAdvanced, description=ADVANCED)


# --------------------------------------------------------------------------- tag


class TagAdvanced(StrictModel):
    keywords: bool = Field(True, description=(
        "The keyword layer: theme keywords matched on lemmas."))
    patterns: bool = Field(True, description=(
        "The pattern layer: the spaCy token patterns of themes.yaml."))
    use_proposed_keywords: bool = Field(False, description=(
        "Also match the proposed_keywords of themes (from a themes import); false matches only "
        "keywords a reviewer accepted."))
    embedding_dims: int = Field(100, ge=2, description=(
        "Dimensions of the SVD when tag.embedder is tfidf-svd."))
    semantic_top_k: int = Field(1, ge=0, description=(
        "A sentence gets semantic hits only for its k best-scoring themes; 0 lets every theme "
        "over its threshold hit."))
    semantic_margin: float = Field(0.02, ge=0.0, le=2.0, description=(
        "How far a semantic hit must score above the sentence's runner-up theme; 0 is off, and "
        "above 0 only a sentence's best theme can hit. Chosen on NHS FFT dev (CV macro F1 "
        "0.407 -> 0.420; BENCHMARKS.md)."))
    semantic_codebook_weight: float = Field(0.0, ge=0.0, le=1.0, description=(
        "Weight w of a classifier fitted at run time on the theme texts in the semantic score, "
        "(1 - w) x similarity + w x probability; 0 is similarity alone. 0.5 lifted NHS FFT "
        "zero-shot CV macro F1 0.420 -> 0.447; recalibrate thresholds when turning it on "
        "(theming eval --calibrate)."))
    no_theme: list[str] = Field(default_factory=lambda: list(NO_THEME), description=(
        "Sentences that carry no theme: a semantic hit must score higher for its theme than "
        "for the nearest of these."))
    everyday_words: list[str] = Field(default_factory=lambda: list(EVERYDAY_WORDS), description=(
        "A keyword made only of these words (compared on lemmas, updated -> update) tags a "
        "sentence only beside another hit for its theme; theming themes check warns about "
        "such keywords."))
    static_model_dir: str = Field("../models/minilm-static", description=(
        "Where minilm-static is distilled, once."))
    onnx_model_dir: str = Field("../models/minilm-onnx", description=(
        "Where minilm-onnx is exported, quantised and checksummed, once (offline, from the "
        "MiniLM weights; about 30 s)."))
    embedding_cache: str | None = Field("../data/cache/embeddings", description=(
        "A folder of MiniLM vectors reused across runs, keyed by HMAC with the project secret "
        "(nothing is saved without one); theming cache clear empties it; null is off."))
    memory_cache_entries: int | None = Field(100000, ge=1, description=(
        "Vectors each embedder keeps in memory, least recently used dropped first (about "
        "1.6 kB each at 384 dimensions); null is no bound."))
    onnx_from_rows: int | None = Field(5000, ge=1, description=(
        "From this many input rows on, embedder minilm becomes minilm-onnx for tagging and "
        "discovery: several times faster on 2 cores (32 sentences per call, activations "
        "quantised per token so a vector never depends on its batch-mates), F1 kept on NHS "
        "FFT (99.7-100.3% with the earlier per-batch quantisation), "
        "though the vectors differ slightly (the run summary and manifest say so; stays minilm "
        "without the onnx extra); null is never."))
    static_from_rows: int | None = Field(100000, ge=1, description=(
        "From this many input rows on, minilm and minilm-onnx become minilm-static for tagging "
        "and discovery: ONNX embeds roughly 500-700 sentences/s on 2 cores, "
        "so a million comments would take about 45 minutes; the static model keeps 99% / 97% "
        "of learned F1 on NHS FFT but about 90% of zero-shot F1 (said in the summary and manifest); null is never."))
    cascade_margin: float | None = Field(None, ge=0.0, le=2.0, description=(
        "With tag.embedder minilm or minilm-onnx: score every sentence with minilm-static "
        "first and re-score with MiniLM only those whose semantic hits this close to a "
        "threshold, the no-theme score or the runner-up could change (and very short or "
        "out-of-vocabulary ones); static scores are mapped onto MiniLM's scale on the theme "
        "texts; null uses MiniLM alone, unless cascade_from_rows applies."))
    cascade_from_rows: int | None = Field(None, ge=1, description=(
        "From this many input rows on, a round whose cascade_margin is null gets "
        f"cascade_margin {CASCADE_MARGIN} (chosen on NHS FFT dev, where F1 held; the sample's "
        "themes need 0.1-0.15; BENCHMARKS.md); said in the summary and manifest; null is "
        "never."))
    classifier: bool = Field(True, description=(
        "Use the model given with --model (from theming train) when there is one."))
    semantic_with_classifier: bool = Field(False, description=(
        "With a model: false lets the semantic layer tag only themes the model was not trained "
        "on (on NHS FFT adding semantic hits for the others cut micro F1 0.706 -> 0.650)."))


class TagSettings(StrictModel):
    embedder: Embedder = Field("minilm", description=(
        "The embedding of the semantic layer: tfidf-svd (no weights, fitted on each round), "
        "minilm (the shipped all-MiniLM-L6-v2, checksum-verified), minilm-onnx (the same model "
        "exported locally to int8 ONNX; faster) or minilm-static (distilled locally with "
        "model2vec; about 50x faster)."))
    semantic: bool = Field(True, description=(
        "The semantic layer: each sentence compared with each theme's label, description and "
        "examples in the embedding space."))
    semantic_threshold: float = Field(0.4, ge=-1.0, le=1.0, description=(
        "The score a semantic hit needs when its theme sets no threshold; scales differ by "
        "embedder, so calibrate with theming eval --calibrate (NHS FFT zero-shot chose 0.35, "
        "the sample 0.45-0.6)."))
    advanced: TagAdvanced = Field(default_factory=TagAdvanced, description=ADVANCED)


# --------------------------------------------------------------------------- discover


class DiscoverAdvanced(StrictModel):
    unit: Literal["sentences", "comments"] = Field("sentences", description=(
        "What is clustered: sentences or whole comments."))
    embedding_dims: int = Field(100, ge=2, description=(
        "Dimensions of the SVD when discover.embedder is tfidf-svd."))
    method: Literal["auto", "small", "large"] = Field("auto", description=(
        "small is Ward clustering with the count chosen by silhouette; large is UMAP + HDBSCAN; "
        "auto takes small up to small_round_max_docs documents."))
    small_round_max_docs: int = Field(1500, ge=10, description=(
        "The most documents method auto sends down the small path."))
    n_clusters: int | Literal["auto"] = Field("auto", description=(
        "Small path: the number of clusters; auto takes the count with the best silhouette."))
    min_cluster_size: int | Literal["auto"] = Field("auto", description=(
        "The smallest cluster; auto is max(2, docs/60) up to 10 on the small path and "
        "max(10, docs/300) on the large one."))
    umap_epochs: int = Field(100, ge=10, description=(
        "Large path: UMAP optimisation epochs, fewer being faster and rougher (100 kept FFT dev "
        "within 0.005 of 200; BENCHMARKS.md)."))
    fit_sample_size: int = Field(6000, ge=10, description=(
        "BERTopic is fitted once on at most this many documents, drawn with the seed in "
        "proportion to each group and question; the rest join the nearest topic (chosen on NHS "
        "FFT dev; BENCHMARKS.md)."))
    describe_sample_size: int | None = Field(50000, ge=10, description=(
        "A round of more documents is discovered (fit, merges, words, statuses, examples) on a "
        "stratified sample of this many, and the rest join the nearest final topic in batches "
        "and are counted, which bounds memory; null always uses all."))
    max_cluster_share: float = Field(0.25, ge=0.0, le=1.0, description=(
        "Large path: HDBSCAN never selects a cluster holding more than this share of the fitted "
        "documents, taking its parts instead (a million-comment fit fell into 2 clusters "
        "without it); 0 is no limit."))
    assign_batch_size: int = Field(20000, ge=1, description=(
        "Documents assigned to topics per batch, which bounds memory."))
    seed_weight: float = Field(0.5, ge=0.0, description=(
        "How strongly a tagged sentence is pulled towards its theme's centroid; 0 is off."))
    outlier_min_similarity: float = Field(0.2, ge=-1.0, le=1.0, description=(
        "An outlier joins its most similar cluster at or above this cosine."))
    merge_min_similarity: float = Field(0.5, ge=-1.0, le=1.0, description=(
        "Untagged clusters sharing a top word merge at or above this cosine."))
    top_words: int = Field(8, ge=1, description="Words kept to describe each cluster.")
    label_max_df: float = Field(0.08, gt=0.0, le=1.0, description=(
        "A word found in more than this share of all documents never labels a cluster."))
    label_diversity: float = Field(0.3, ge=0.0, le=1.0, description=(
        "MMR over BERTopic's c-TF-IDF words: 0 keeps the top words as ranked, 1 the most varied "
        "(fewer near-repeats such as \"paper, papers\"); it embeds about 30 candidate words per "
        "cluster."))
    map_min_overlap: float = Field(0.3, ge=0.0, le=1.0, description=(
        "A cluster maps to a theme when at least this share of its sentences carry the theme's "
        "tag ..."))
    map_min_similarity: float = Field(0.65, ge=-1.0, le=1.0, description=(
        "... or when the cluster and theme centroids are at least this cosine apart (MiniLM's "
        "scale; about 0.35 suits tfidf-svd, whose cosines run lower) ..."))
    map_min_combined: float = Field(0.6, ge=0.0, le=2.0, description=(
        "... or when tag overlap plus centroid similarity for the same theme reach this."))
    candidate_min_respondents: int = Field(3, ge=1, description=(
        "Respondents an unmapped cluster needs to be a candidate theme."))
    candidate_min_coherence: float = Field(0.5, ge=0.0, le=1.0, description=(
        "Share of a candidate's documents containing one of its top 4 words."))
    candidate_min_specificity: float = Field(0.5, ge=0.0, le=1.0, description=(
        "Share of all documents with a candidate's top word that fall in it."))
    candidate_max_tagged_share: float = Field(0.3, ge=0.0, le=1.0, description=(
        "A candidate is mostly sentences no theme tagged: at most this share tagged."))
    candidate_min_ask_share: float = Field(0.45, ge=0.0, le=1.0, description=(
        "Share of asks and criticisms a candidate needs, so general praise and filler are no "
        "candidate."))
    candidate_examples: int = Field(3, ge=1, description=(
        "Example sentences written for each candidate theme."))


class DiscoverSettings(StrictModel):
    enabled: bool = Field(True, description=(
        "Cluster the round to find candidate themes that themes.yaml does not have yet."))
    embedder: Embedder = Field("minilm", description=(
        "The embedding clustered: minilm reuses the tag stage's cached vectors (best on the "
        "benchmarks); minilm-onnx, minilm-static, or tfidf-svd (no weights, fast)."))
    advanced: DiscoverAdvanced = Field(default_factory=DiscoverAdvanced, description=ADVANCED)


# --------------------------------------------------------------------------- recommend, output


class RecommendAdvanced(StrictModel):
    quotes_min: int = Field(3, ge=1, description=(
        "A draft quoting fewer asks says so; only asks are quoted under a draft, never padded "
        "with praise or neutral remarks."))
    max_quote_words: int = Field(70, ge=5, description=(
        "A longer comment is trimmed to the sentences carrying the theme."))
    diversity: float = Field(0.5, ge=0.0, le=1.0, description=(
        "Choice of quotes: 0 takes those nearest the theme's centre, 1 the most varied (MMR)."))
    stance: bool = Field(True, description=(
        "Split comments into asks/criticisms and praise (\"what works\")."))
    praise_quotes: int = Field(2, ge=0, description=(
        "Quotes shown under \"what works\" for each theme."))
    small_round: int = Field(30, ge=0, description=(
        "A round with fewer respondents also drafts a theme raised by fewer than its "
        "min_support when someone asks for a change, marked \"raised by 1 respondent\"; 0 is "
        "never."))
    ask_phrases: int = Field(3, ge=0, le=3, description=(
        "Central ask phrases, verbatim, shown under each draft (0-3)."))


class RecommendSettings(StrictModel):
    quotes_max: int = Field(5, ge=1, description="The most quotes shown under each draft.")
    advanced: RecommendAdvanced = Field(default_factory=RecommendAdvanced, description=ADVANCED)


class ReportAdvanced(StrictModel):
    min_group_size: int = Field(5, ge=1, description=(
        "Groups with fewer respondents are shown together as \"other groups\", and a theme's "
        "raised/not-raised scores only when both sides reach it."))


class ReportSettings(StrictModel):
    """How report.html and recommendations.md/.docx present the round."""

    title: str = Field("", description=(
        "The report's title (--title); \"\" is \"<survey>: <round>\", else the input's name."))
    survey: str = Field("", description=(
        "The survey's name, e.g. \"Partnership forum member survey\"."))
    round: str = Field("", description=(
        "The round's name, e.g. \"Autumn 2026\" (theming compare names the round by it)."))
    advanced: ReportAdvanced = Field(default_factory=ReportAdvanced, description=ADVANCED)


class OutputSettings(StrictModel):
    runs_dir: str | None = Field("../runs", description=(
        "Where theming run writes its run folders when --out is not given."))
    xlsx: bool = Field(True, description="Also write quotes.xlsx, a sheet per theme.")


# --------------------------------------------------------------------------- engine, compare, check


class EngineAdvanced(StrictModel):
    scheduler: str | None = Field(None, description=(
        "dask: the address of a running scheduler, e.g. tcp://10.0.0.5:8786 (--scheduler); "
        "null starts a LocalCluster on this machine."))
    partition_rows: int = Field(5000, ge=1, description=(
        "dask: at most this many answers per partition (and at least one partition per "
        "worker); a respondent's answers stay together."))
    worker_memory: str = Field("4GB", description=(
        "dask LocalCluster: the memory limit of each worker process."))


class EngineSettings(StrictModel):
    name: Literal["local", "dask"] = Field("local", description=(
        "Where clean and tag run (--engine): local in this process, or dask per partition of "
        "respondents on a Dask cluster, with the same outputs; the other stages always run "
        "here."))
    workers: int = Field(2, ge=1, description=(
        "dask: worker processes of the LocalCluster it starts (--workers)."))
    advanced: EngineAdvanced = Field(default_factory=EngineAdvanced, description=ADVANCED)


class CompareAdvanced(StrictModel):
    exact_below: float = Field(5, ge=0.0, description=(
        "Fisher's exact test when an expected count of the 2x2 table is below this, else "
        "chi-square (the two-proportion z-test)."))
    candidate_similarity: float = Field(0.6, ge=-1.0, le=1.0, description=(
        "The cosine (label, keywords and examples) at which a candidate theme counts as seen in "
        "the round before."))
    embedder: Literal["tfidf-svd", "minilm", "minilm-static"] = Field("minilm", description=(
        "The embedding of candidate themes for that match: minilm, minilm-static or "
        "tfidf-svd."))


class CompareSettings(StrictModel):
    """theming compare RUN_A RUN_B ...: one round against the next."""

    advanced: CompareAdvanced = Field(default_factory=CompareAdvanced, description=ADVANCED)


class CheckAdvanced(StrictModel):
    max_overlap: float = Field(0.7, ge=0.0, le=1.0, description=(
        "Error: two themes share more than this share of their comments."))
    min_comments: int = Field(5, ge=0, description=(
        "Warning: a theme catches fewer comments than this or than min_share of the comments, "
        "whichever is more."))
    min_share: float = Field(0.001, ge=0.0, le=1.0, description=(
        "See min_comments."))
    label_similarity: float = Field(0.9, ge=-1.0, le=1.0, description=(
        "Warning: two labels (or descriptions) at least this cosine alike."))
    max_themes: int = Field(70, ge=1, description=(
        "Warning: more themes than a reader can take in."))
    examples: int = Field(2, ge=0, description="Example comments shown under an overlap.")
    min_comments_for_advice: int = Field(300, ge=0, description=(
        "Fewer comments, or one round only: a theme or keyword that matched nothing is 'not "
        "seen in this round', never advice to retire or remove it (that needs a coded set or "
        "several rounds of --against). 300 from arithmetic, not tuned on data: a keyword used "
        "by 1 comment in 100 is missing from 300 comments by chance 5% of the time."))


class CheckSettings(StrictModel):
    """theming themes check FILE --against RUN|CODED.csv; its gates are the published theme-set
    gates of issue 11, not tuned."""

    advanced: CheckAdvanced = Field(default_factory=CheckAdvanced, description=ADVANCED)


# --------------------------------------------------------------------------- the file


def _agreement() -> dict[str, Scale]:
    return {"agreement": Scale(values=dict(AGREEMENT))}


class PipelineConfig(StrictModel):
    version: Literal[1] = Field(1, description="The format of this file.")
    seed: int = Field(42, description="The one seed of clustering, SVD and sampling.")
    themes: str = Field("themes.yaml", min_length=1, description=(
        "The reviewers' theme config (--themes overrides it)."))
    input: InputSettings = Field(default_factory=InputSettings, description=(
        "How an export is read. The flags of theming run (--text-column, --id-column, "
        "--group-column, ...) override this section, so any export runs without an edit."))
    clean: CleanSettings = Field(default_factory=CleanSettings, description=(
        "Non-answers, duplicates and redaction."))
    nlp: NlpSettings = Field(default_factory=NlpSettings, description="The spaCy pipeline.")
    tag: TagSettings = Field(default_factory=TagSettings, description=(
        "Tagging sentences with themes: keywords, patterns, semantic, learned."))
    discover: DiscoverSettings = Field(default_factory=DiscoverSettings, description=(
        "Clusters and candidate themes."))
    recommend: RecommendSettings = Field(default_factory=RecommendSettings, description=(
        "Draft recommendations and their quotes."))
    report: ReportSettings = Field(default_factory=ReportSettings, description=(
        "How the report presents the round: title, survey and round names."))
    output: OutputSettings = Field(default_factory=OutputSettings, description=(
        "What a run writes, and where."))
    engine: EngineSettings = Field(default_factory=EngineSettings, description=(
        "Where clean and tag run."))
    compare: CompareSettings = Field(default_factory=CompareSettings, description=(
        "theming compare RUN_A RUN_B ...: round over round."))
    check: CheckSettings = Field(default_factory=CheckSettings, description=(
        "theming themes check FILE --against RUN|CODED.csv (the published theme-set gates of "
        "issue 11, not tuned)."))
    scales: dict[str, Scale] = Field(default_factory=_agreement, description=(
        "Exported answer wordings -> scores 1-5, compared ignoring case, spaces and end "
        "punctuation; null is an answer without a score. Numbers (\"4\") and a number with "
        "its label (\"4 - partly agree\") need no entry; a value no scale maps stops the run "
        "with the list."))

    @model_validator(mode="after")
    def _known_scales(self) -> PipelineConfig:
        for score in self.input.score_columns:
            if score.scale not in self.scales:
                raise ValueError(
                    f"score column '{score.column}' uses scale '{score.scale}', which is not "
                    f"under scales:{did_you_mean(score.scale, self.scales)}; known scales: "
                    f"{', '.join(self.scales) or 'none'}")
        return self


class Settings(BaseModel):
    """Everything a stage may read: the pipeline config and the themes."""

    model_config = ConfigDict(frozen=True)

    pipeline: PipelineConfig
    themes: ThemesConfig
    config_path: str = ""  # the project pipeline.yaml these came from; "" = packaged defaults
    tag_model: Any = None  # a loaded pipeline.learn.TagModel (theming run --model), or None
    # The project secret that keys pseudonyms and cache keys (None: none found), and its file.
    secret: bytes | None = Field(default=None, repr=False)
    secret_path: str | None = None
    # When the run started (UTC, ISO 8601): the time of every machine tag it makes; "" outside
    # a run (a stage called on its own).
    started_at: str = ""
