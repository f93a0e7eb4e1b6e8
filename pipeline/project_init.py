"""``theming init``: a new project folder with both configs (the packaged ones, every setting
listed with its meaning), data and runs folders, a README, a .gitignore and the project secret.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config.project import PROJECT_CONFIG, default_path

PROJECT_README = """\
# {name}: a comment-theming project

- `config/pipeline.yaml`: how answers are read, cleaned, tagged and reported (analysts).
  Every setting is listed with what it does; paths in it are relative to `config/`.
- `config/themes.yaml`: the themes comments are tagged with (reviewers).
  Check an edit with `theming themes check config/themes.yaml`.
- `data/`: put survey exports here. `runs/`: one folder per run (ignored by git).
- `.theming-secret`: the key that makes respondent pseudonyms and cache keys irreversible.
  Keep it with the project (back it up) and never share or commit it: every pseudonym of this
  project depends on it.

Run a round from anywhere:

    theming run data/round.csv --config {config} --text-column comment

Leave out `--config` when you run from inside this folder: the project is found by itself.
"""
PROJECT_GITIGNORE = "runs/\ndata/cache/\nmodels/\n.theming-secret\n"


def with_input(text: str, section: dict) -> str:
    """The packaged pipeline.yaml's ``text`` with the columns of a proposed ``input:`` section
    (``theming inspect``'s) written in place of the defaults; every comment is kept."""
    import re

    import yaml

    for key in ("id_column", "group_column", "text_columns", "score_columns"):
        if key in section:
            dumped = yaml.safe_dump({key: section[key]}, sort_keys=False, allow_unicode=True,
                                    width=100)
            block = "".join("  " + line for line in dumped.splitlines(keepends=True))
            text = re.sub(rf"^  {key}: .*\n", lambda _, b=block: b, text, count=1, flags=re.M)
    return text


def init_project(folder: Path, overwrite: bool = False,
                 input_section: dict | None = None) -> list[Path]:
    """Write a project folder; return the files written. Refuses to replace existing configs
    unless ``overwrite``. ``input_section``: the columns ``theming inspect`` proposed from an
    export (``theming init --from``), written into the project's pipeline.yaml."""
    from pipeline.errors import DataError
    from pipeline.io.writers import write_text

    config_dir = folder / "config"
    targets = {config_dir / name: default_path(name).read_text(encoding="utf-8")
               for name in ("pipeline.yaml", "themes.yaml")}
    if input_section:
        pipeline_yaml = config_dir / "pipeline.yaml"
        targets[pipeline_yaml] = with_input(targets[pipeline_yaml], input_section)
    existing = [str(path) for path in targets if path.exists()]
    if existing and not overwrite:
        raise DataError(f"{', '.join(existing)}: already exists; pass --overwrite to replace the "
                        "configs with the defaults, or choose another folder", code="D007")
    if folder.exists() and not folder.is_dir():
        raise DataError(f"{folder}: exists and is a file; choose a folder for the project",
                        code="D007")
    written = []
    for path, text in targets.items():
        write_text(path, text)
        written.append(path)
    for sub in ("data", "runs"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    from pipeline.config.loading import load_pipeline
    from pipeline.text.pseudonyms import new_secret

    secret = load_pipeline(config_dir / "pipeline.yaml").clean.redact.advanced.secret_file
    if secret and not Path(secret).exists():
        written.append(new_secret(secret))
    extras = {folder / "README.md": PROJECT_README.format(
                  name=folder.resolve().name, config=folder / PROJECT_CONFIG),
              folder / ".gitignore": PROJECT_GITIGNORE}
    for path, text in extras.items():
        if not path.exists():
            write_text(path, text)
            written.append(path)
    return written
