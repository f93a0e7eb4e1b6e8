"""``theming compare``: read finished run folders, compare them, write the comparison.

Writes into ``out``: compare.csv (one row per theme and pair of consecutive rounds),
compare.md, compare.html and compare.xlsx (themes, groups, candidates, statements, notes).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.compare.changes import Comparison, compare_rounds
from pipeline.compare.rounds import MANIFEST, Round, read_round
from pipeline.config.models import PipelineConfig
from pipeline.errors import DataError

OUTPUTS = {"csv": "compare.csv", "md": "compare.md", "html": "compare.html",
           "xlsx": "compare.xlsx"}


def check_folders(folders: Sequence[str | Path], out: str | Path,
                  names: Sequence[str] | None = None) -> None:
    """At least two distinct run folders, an ``out`` that is none of them nor any run, and
    (when given) one name per folder."""
    if names and len(names) != len(folders):
        raise DataError(f"{len(names)} names for {len(folders)} run folders; give one --name per "
                        "run folder, in the same order, e.g. --name 'Survey 2025' --name "
                        "'Survey 2026'", code="D076")
    if len(folders) < 2:
        raise DataError(f"compare needs at least two run folders, oldest first; got "
                        f"{len(folders)}; e.g. theming compare data/runs/round_2025 "
                        "data/runs/round_2026 --out data/compare", code="D071")
    seen: dict[Path, str] = {}
    for folder in folders:
        resolved = Path(folder).resolve()
        if resolved in seen:
            raise DataError(f"{folder}: given twice (also as {seen[resolved]}); give each "
                            "round's run folder once, oldest first", code="D071")
        seen[resolved] = str(folder)
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise DataError(f"{target}: exists and is a file; give a folder for --out", code="D072")
    if target.resolve() in seen or (target / MANIFEST).exists():
        raise DataError(f"{target}: is a run folder; give compare its own --out folder, e.g. "
                        "data/compare", code="D072")


def compare_runs(folders: Sequence[str | Path], settings: PipelineConfig,
                 names: Sequence[str] | None = None) -> Comparison:
    """Compare the rounds in ``folders`` (oldest first), named by ``names`` where given;
    nothing is written."""
    from pipeline.codebook.theme_diff import diff_recorded
    from pipeline.embed.registry import make_embedder
    from pipeline.text.redact import redactor_from_settings

    given = list(names or [None] * len(folders))
    rounds: list[Round] = [read_round(folder, name) for folder, name in
                           zip(folders, given, strict=True)]
    redactor = redactor_from_settings(settings.clean.redact)
    cfg = settings.compare

    def embed(texts: list[str]):
        embedder = make_embedder(cfg.advanced.embedder, settings.tag.advanced.embedding_dims,
                                 settings.seed,
                                 settings.tag.advanced.static_model_dir)
        return embedder.fit_transform(texts)

    return compare_rounds(rounds, exact_below=cfg.advanced.exact_below,
                          candidate_similarity=cfg.advanced.candidate_similarity,
                          redact=lambda text: redactor(str(text))[0], embed=embed,
                          config_notes=diff_recorded)


def write_comparison(comparison: Comparison, out: str | Path) -> dict[str, Path]:
    """Every compare output in ``out`` (created), written atomically; returns the paths."""
    from pipeline.io.writers import write_csv, write_text, write_xlsx
    from pipeline.outputs import compare_report

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / name for kind, name in OUTPUTS.items()}
    write_csv(paths["csv"], comparison.themes)
    write_text(paths["md"], compare_report.render_markdown(comparison))
    write_text(paths["html"], compare_report.render_html(comparison))
    write_xlsx(paths["xlsx"], compare_report.sheets(comparison))
    return paths
