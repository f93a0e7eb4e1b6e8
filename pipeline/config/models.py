"""Config models for ``themes.yaml`` (reviewers) and ``pipeline.yaml`` (analysts).

Loading reports every problem at once, each with file, line, field path and a
"did you mean" where one fits. YAML is only ever read with the safe loader.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.config.project import default_path, merge, resolve_paths
from pipeline.config.scales import Scale, ScoreColumn
from pipeline.config.yaml_safe import check_config_size, refuse_anchors, refuse_duplicate_keys
from pipeline.errors import ConfigError, ConfigProblems, Problem, did_you_mean

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- themes.yaml


class Recommendation(_Strict):
    owner: str = Field(min_length=1)
    action: str = Field(min_length=1)


class Theme(_Strict):
    id: str
    label: str = Field(min_length=1)
    description: str = ""
    keywords: list[str] = Field(default_factory=list)
    patterns: list[list[dict[str, Any]]] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    not_examples: list[str] = Field(default_factory=list)
    recommendation: Recommendation | None = None
    min_support: int | float = 2
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    proposed_keywords: list[str] = Field(default_factory=list)

    @field_validator("min_support", mode="before")
    @classmethod
    def _count_or_share(cls, value: Any) -> int | float:
        """A count of respondents (2) or a share of the round's respondents (0.05)."""
        ok = isinstance(value, int | float) and not isinstance(value, bool) and (
            (0 < value < 1) or (value >= 1 and float(value).is_integer()))
        if not ok:
            raise ValueError("write a count of respondents (e.g. 2) or a share of the round's "
                             "respondents between 0 and 1 (e.g. 0.05)")
        return int(value) if value >= 1 else float(value)

    def support_needed(self, respondents: int) -> int:
        """Respondents needed for a draft in a round of ``respondents``."""
        if self.min_support >= 1:
            return int(self.min_support)
        return max(1, math.ceil(self.min_support * respondents))

    @field_validator("keywords", "exclude", "examples", "not_examples", "proposed_keywords")
    @classmethod
    def _no_blank_entries(cls, values: list[str]) -> list[str]:
        for index, value in enumerate(values):
            if not str(value).strip():
                raise ValueError(f"entry {index + 1} is empty; remove it or write the phrase")
        return [str(v).strip() for v in values]


class ThemesConfig(_Strict):
    version: Literal[1] = 1
    themes: list[Theme]

    def by_id(self) -> dict[str, Theme]:
        return {theme.id: theme for theme in self.themes}

    @property
    def ids(self) -> list[str]:
        return [theme.id for theme in self.themes]


# --------------------------------------------------------------------------- pipeline.yaml
# No defaults here: every setting's default is in defaults/pipeline.yaml (the one source),
# merged under the project's own pipeline.yaml by ``load_pipeline``.


class TextColumn(_Strict):
    column: str = Field(min_length=1)
    question: str = Field(min_length=1)


class InputSettings(_Strict):
    id_column: str | None
    group_column: str | None
    text_columns: list[TextColumn]
    score_columns: list[ScoreColumn]
    encoding: str
    delimiter: str | None
    sheet: str | int | None
    max_rows: int = Field(ge=1)
    max_comment_chars: int = Field(ge=100)
    long_comments: Literal["error", "cut"]

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = {"tab": "\t", "\\t": "\t"}.get(value.lower(), value)
        if len(value) != 1:
            raise ValueError(f"'{value}' is not one character; use e.g. ',', ';', '|' or 'tab'")
        return value

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


class RedactSettings(_Strict):
    emails: bool
    phones: bool
    urls: bool
    handles: bool
    nhs_numbers: bool
    ni_numbers: bool
    postcodes: bool
    titled_names: bool
    ner: bool
    names: list[str]
    names_file: str | None
    secret_file: str | None


class CleanSettings(_Strict):
    non_answers: list[str]
    drop_duplicates: bool
    fix_mojibake: bool
    redact: RedactSettings


class NlpSettings(_Strict):
    model: str


class TagSettings(_Strict):
    keywords: bool
    patterns: bool
    use_proposed_keywords: bool
    semantic: bool
    embedder: Literal["tfidf-svd", "minilm", "minilm-onnx", "minilm-static"]
    embedding_dims: int = Field(ge=2)
    semantic_threshold: float = Field(ge=-1.0, le=1.0)
    semantic_top_k: int = Field(ge=0)
    semantic_margin: float = Field(ge=0.0, le=2.0)
    semantic_codebook_weight: float = Field(ge=0.0, le=1.0)
    no_theme: list[str]
    everyday_words: list[str]
    static_model_dir: str
    onnx_model_dir: str
    embedding_cache: str | None
    memory_cache_entries: int | None = Field(ge=1)
    onnx_from_rows: int | None = Field(ge=1)
    static_from_rows: int | None = Field(default=None, ge=1)
    classifier: bool
    semantic_with_classifier: bool


class DiscoverSettings(_Strict):
    enabled: bool
    unit: Literal["sentences", "comments"]
    embedder: Literal["tfidf-svd", "minilm", "minilm-onnx", "minilm-static"]
    embedding_dims: int = Field(ge=2)
    method: Literal["auto", "small", "large"]
    small_round_max_docs: int = Field(ge=10)
    n_clusters: int | Literal["auto"]
    min_cluster_size: int | Literal["auto"]
    umap_epochs: int = Field(ge=10)
    fit_sample_size: int = Field(ge=10)
    describe_sample_size: int | None = Field(default=None, ge=10)
    max_cluster_share: float = Field(default=0.0, ge=0.0, le=1.0)
    assign_batch_size: int = Field(ge=1)
    seed_weight: float = Field(ge=0.0)
    outlier_min_similarity: float = Field(ge=-1.0, le=1.0)
    merge_min_similarity: float = Field(ge=-1.0, le=1.0)
    top_words: int = Field(ge=1)
    label_max_df: float = Field(gt=0.0, le=1.0)
    label_diversity: float = Field(ge=0.0, le=1.0)
    map_min_overlap: float = Field(ge=0.0, le=1.0)
    map_min_similarity: float = Field(ge=-1.0, le=1.0)
    map_min_combined: float = Field(ge=0.0, le=2.0)
    candidate_min_respondents: int = Field(ge=1)
    candidate_min_coherence: float = Field(ge=0.0, le=1.0)
    candidate_min_specificity: float = Field(ge=0.0, le=1.0)
    candidate_max_tagged_share: float = Field(ge=0.0, le=1.0)
    candidate_min_ask_share: float = Field(ge=0.0, le=1.0)
    candidate_examples: int = Field(ge=1)


class RecommendSettings(_Strict):
    quotes_min: int = Field(ge=1)
    quotes_max: int = Field(ge=1)
    max_quote_words: int = Field(ge=5)
    diversity: float = Field(ge=0.0, le=1.0)
    stance: bool
    praise_quotes: int = Field(ge=0)
    small_round: int = Field(ge=0)
    ask_phrases: int = Field(ge=0, le=3)


class ReportSettings(_Strict):
    title: str  # "" = "<survey>: <round>", or the input file's name
    survey: str
    round: str
    min_group_size: int = Field(ge=1)


class OutputSettings(_Strict):
    runs_dir: str | None
    xlsx: bool


class EngineSettings(_Strict):
    name: Literal["local", "dask"]
    workers: int = Field(ge=1)
    scheduler: str | None
    partition_rows: int = Field(ge=1)
    worker_memory: str
class CompareSettings(_Strict):
    exact_below: float = Field(ge=0.0)
    candidate_similarity: float = Field(ge=-1.0, le=1.0)
    embedder: Literal["tfidf-svd", "minilm", "minilm-static"]


class CheckSettings(_Strict):
    max_overlap: float = Field(ge=0.0, le=1.0)
    min_comments: int = Field(ge=0)
    min_share: float = Field(ge=0.0, le=1.0)
    label_similarity: float = Field(ge=-1.0, le=1.0)
    max_themes: int = Field(ge=1)
    examples: int = Field(ge=0)


class PipelineConfig(_Strict):
    version: Literal[1]
    seed: int
    themes: str = Field(min_length=1)
    input: InputSettings
    clean: CleanSettings
    nlp: NlpSettings
    tag: TagSettings
    discover: DiscoverSettings
    recommend: RecommendSettings
    report: ReportSettings
    output: OutputSettings
    engine: EngineSettings
    compare: CompareSettings
    check: CheckSettings
    scales: dict[str, Scale]

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


# --------------------------------------------------------------------------- loading


def _line_index(node: yaml.Node, path: tuple = ()) -> dict[tuple, tuple[int, int]]:
    """Map each field path to (line of its key, line of its value), 1-based."""
    lines: dict[tuple, tuple[int, int]] = {path: (node.start_mark.line + 1,) * 2}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = path + (key_node.value,)
            lines.update(_line_index(value_node, child))
            lines[child] = (key_node.start_mark.line + 1, value_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_line_index(item, path + (index,)))
    return lines


def _read_yaml(path: Path) -> tuple[Any, dict[tuple, tuple[int, int]]]:
    check_config_size(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found; check the path", code="C002") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}); save it as UTF-8", code="C002") from None
    refuse_anchors(path, text)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            f"{path}{where}: not valid YAML ({problem}); check indentation and that "
            "lists start with '- '",
            code="C002",
        ) from None
    refuse_duplicate_keys(path, node)
    return data, (_line_index(node) if node is not None else {})


def _model_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names valid at ``loc`` (the parent of an offending key)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return []
        annotation = field.annotation
        current = _inner_model(annotation)
        if current is None:
            return []
    return list(current.model_fields) if hasattr(current, "model_fields") else []


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _describe(loc: tuple, data: Any) -> str:
    """Readable location: ``in theme 'communications'`` or ``at input.text_columns[1]``."""
    if len(loc) >= 2 and loc[0] == "themes" and isinstance(loc[1], int):
        try:
            theme_id = data["themes"][loc[1]].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            theme_id = None
        rest = ".".join(str(p) for p in loc[2:])
        who = f"theme '{theme_id}'" if theme_id else f"theme {loc[1] + 1}"
        return f"{rest} in {who}" if rest else who
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "top level"


def _problems_from_validation(
    exc: ValidationError, model: type[BaseModel], data: Any, lines: dict
) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        kind = error["type"]
        line = (lines.get(loc) or lines.get(loc[:-1]) or (None,))[0]
        if kind == "extra_forbidden":
            key = loc[-1]
            where = _describe(loc[:-1], data)
            hint = did_you_mean(key, _model_fields(model, loc[:-1]))
            if not hint:
                valid = _model_fields(model, loc[:-1])
                hint = f"; valid keys: {', '.join(valid)}" if valid else ""
            problems.append(Problem("C003", line, f"unknown key '{key}' in {where}{hint}"))
        elif kind == "missing":
            problems.append(Problem("C006", line, f"{_describe(loc, data)} is required but missing"))
        elif kind == "value_error" and "empty" in error["msg"]:
            msg = error["msg"].removeprefix("Value error, ")
            problems.append(Problem("C007", line, f"{_describe(loc, data)}: {msg}"))
        else:
            got = error.get("input")
            got_text = f" (got {got!r})" if not isinstance(got, dict | list) else ""
            if isinstance(got, bool) and error["type"] == "string_type":
                got_text += "; YAML reads bare yes/no/on/off as true/false, so put it in quotes"
            msg = error["msg"].removeprefix("Value error, ")
            problems.append(Problem("C005", line, f"{_describe(loc, data)}: {msg}{got_text}"))
    return problems


def _theme_problems(data: Any, lines: dict) -> list[Problem]:
    """Checks pydantic cannot express per field: slugs, duplicate ids, spaCy patterns."""
    problems: list[Problem] = []
    themes = data.get("themes") if isinstance(data, Mapping) else None
    if not isinstance(themes, list):
        return problems
    seen: dict[str, int | None] = {}
    for index, theme in enumerate(themes):
        if not isinstance(theme, Mapping) or not isinstance(theme.get("id"), str):
            continue
        theme_id = theme["id"]
        line = (lines.get(("themes", index, "id")) or (None, None))[1]
        if not SLUG.match(theme_id):
            slug = re.sub(r"[^a-z0-9]+", "_", theme_id.lower()).strip("_")
            problems.append(Problem(
                "C009", line,
                f"theme id '{theme_id}' must be lower-case letters, digits and '_' "
                f"(try '{slug}'); ids are stable keys across rounds",
            ))
        if theme_id in seen:
            first = seen[theme_id]
            problems.append(Problem(
                "C004", line,
                f"duplicate theme id '{theme_id}'"
                + (f" (first used at line {first})" if first else "")
                + "; give each theme its own id",
            ))
        else:
            seen[theme_id] = line
        for p_index, pattern in enumerate(theme.get("patterns") or []):
            where = lines.get(("themes", index, "patterns", p_index), (line,))[0]
            message = check_pattern(pattern)
            if message:
                problems.append(Problem(
                    "C008", where,
                    f"pattern {p_index + 1} in theme '{theme_id}' is not a valid spaCy token "
                    f"pattern: {message}",
                ))
            elif unbounded_operators(pattern) > 1:
                problems.append(Problem(
                    "C015", where,
                    f"pattern {p_index + 1} in theme '{theme_id}' has "
                    f"{unbounded_operators(pattern)} tokens with an unbounded operator (*, + or "
                    "{n,}); at most one is allowed, as several can take minutes on one long "
                    "sentence; bound the others, e.g. {OP: \"{0,3}\"}",
                ))
    return problems


def check_pattern(pattern: Any) -> str | None:
    """Return why ``pattern`` is not a valid spaCy Matcher pattern, or None."""
    if not isinstance(pattern, list) or not pattern:
        return "write it as a list of token dicts, e.g. [{LOWER: minister}]"
    if not all(isinstance(token, dict) and token for token in pattern):
        return "each token must be a non-empty mapping such as {LEMMA: engage}"
    from spacy.errors import MatchPatternError  # lazy: spaCy is not needed to print --help
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    matcher = Matcher(Vocab(), validate=True)
    try:
        matcher.add("check", [pattern])
    except (MatchPatternError, ValueError, KeyError, TypeError) as exc:
        return _explain_pattern_error(str(exc))
    return None


UNBOUNDED_OP = re.compile(r"^(?:[*+]|\{\s*\d*\s*,\s*\})$")


def unbounded_operators(pattern: list[dict[str, Any]]) -> int:
    """How many tokens of a (valid) pattern repeat without an upper bound: *, + or {n,}."""
    return sum(1 for token in pattern if UNBOUNDED_OP.match(str(token.get("OP", "")).strip()))


TOKEN_ATTRS = ("ORTH", "TEXT", "NORM", "LOWER", "LEMMA", "POS", "TAG", "MORPH", "DEP",
               "ENT_TYPE", "SHAPE", "LENGTH", "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER",
               "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE", "IS_STOP", "IS_SENT_START",
               "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL", "SPACY", "OP")
PREDICATES = ("IN", "NOT_IN", "IS_SUBSET", "IS_SUPERSET", "INTERSECTS", "REGEX", "FUZZY",
              "==", "!=", ">=", "<=", ">", "<")
SPACY_DETAIL = re.compile(r"^- \[pattern -> (\d+)((?: -> [^\]]+)?)\] (.+)$")


def _explain_pattern_error(text: str) -> str:
    """spaCy's validation output -> 'token 1: unknown attribute 'LOWR' (did you mean ...)'."""
    for line in text.splitlines():
        match = SPACY_DETAIL.match(line.strip())
        if not match:
            continue
        token = int(match.group(1)) + 1
        path = [p.strip() for p in match.group(2).split("->") if p.strip()]
        message = match.group(3)
        if "Extra inputs" in message and path:
            key = path[-1]
            valid = PREDICATES if len(path) > 1 else TOKEN_ATTRS
            what = "predicate" if len(path) > 1 else "attribute"
            hint = did_you_mean(key, valid) or f"; valid: {', '.join(valid[:12])}, ..."
            return f"token {token}: unknown {what} '{key}'{hint}"
        return f"token {token}: {' -> '.join(path)}: {message}"
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), text)
    return first


def _validate(path: Path, model: type[BaseModel], extra_checks=None, *,
              defaults: Mapping | None = None, prepare=None) -> BaseModel:
    """Read ``path`` and validate it as ``model``; with ``defaults``, the file is merged over
    them first. ``prepare`` may rewrite the merged data (paths) before validation."""
    data, lines = _read_yaml(path)
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"{path}: expected a mapping of settings at the top level, found "
            f"{type(data).__name__}; run 'theming init DIR' for a complete example",
            code="C002",
        )
    if defaults is not None:
        data = merge(defaults, data)
    problems: list[Problem] = []
    model_obj = None
    try:
        model_obj = model.model_validate(prepare(data) if prepare else data)
    except ValidationError as exc:
        problems.extend(_problems_from_validation(exc, model, data, lines))
    if extra_checks:
        problems.extend(extra_checks(data, lines))
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.code))
        raise ConfigProblems(str(path), problems)
    assert model_obj is not None
    return model_obj


def load_themes(path: str | Path | None = None) -> ThemesConfig:
    """Read and validate ``themes.yaml`` (the packaged themes when ``path`` is None); raise
    ConfigProblems listing every problem."""
    path = default_path("themes.yaml") if path is None else Path(path)
    return _validate(path, ThemesConfig, _theme_problems)  # type: ignore[return-value]


def load_pipeline(path: str | Path | None = None) -> PipelineConfig:
    """Read and validate a project's ``pipeline.yaml`` merged over the packaged defaults, with
    every path resolved against the file's folder. ``None``: the defaults alone, no project."""
    defaults_path = default_path("pipeline.yaml")
    defaults, _ = _read_yaml(defaults_path)
    if path is None:
        return _validate(defaults_path, PipelineConfig,  # type: ignore[return-value]
                         prepare=lambda data: resolve_paths(data, None))
    config_dir = Path(path).absolute().parent
    return _validate(Path(path), PipelineConfig, defaults=defaults,  # type: ignore[return-value]
                     prepare=lambda data: resolve_paths(data, config_dir))


def with_overrides(
    config: PipelineConfig,
    text_columns: list[str] | None = None,
    id_column: str | None = None,
    group_column: str | None = None,
    score_columns: list[str] | None = None,
) -> PipelineConfig:
    """Return ``config`` with command-line column choices applied. ``score_columns``
    keep the config's statement words and scale for a column it already lists."""
    inputs = config.input
    updates: dict[str, Any] = {}
    if text_columns:
        updates["text_columns"] = [
            TextColumn(column=col, question=slugify(col) or f"q{i + 1}")
            for i, col in enumerate(text_columns)
        ]
        # Score columns belong to the configured export; a different file rarely has them.
        updates["score_columns"] = []
    if score_columns:
        known = {score.column: score for score in inputs.score_columns}
        updates["score_columns"] = [known.get(col) or ScoreColumn(column=col)
                                    for col in score_columns]
    if id_column:
        updates["id_column"] = id_column
    if group_column:
        updates["group_column"] = group_column
    if not updates:
        return config
    return config.model_copy(update={"input": inputs.model_copy(update=updates)})


def slugify(text: str) -> str:
    """Lower-case slug for ids: 'Early engagement!' -> 'early_engagement'."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


def everyday_keywords(themes: ThemesConfig, everyday_words: list[str]) -> list[tuple[str, str]]:
    """(theme id, keyword) for every keyword made only of ``everyday_words`` (compared on
    lookup lemmas): such a keyword never tags a sentence alone."""
    from pipeline.text.nlp import lemma

    everyday = {lemma(w) for phrase in everyday_words for w in phrase.split()}
    return [(theme.id, keyword) for theme in themes.themes for keyword in theme.keywords
            if all(lemma(word.strip(".,;:!?")) in everyday for word in keyword.split())]
