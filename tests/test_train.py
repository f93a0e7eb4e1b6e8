"""Learned layer: theming train, a safely loaded model, classifier tags in run and eval."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config.models import load_themes
from pipeline.errors import ConfigError
from pipeline.evaluation.coded import sentences_of
from pipeline.stages import tag
from pipeline.tagging import learned

PARKING = ["no parking spaces", "the car park was full", "parking costs too much",
           "could not find a space to park", "parking machine was broken"]
FOOD = ["the meals were cold", "food was bland", "more choice of meals", "the tea was lovely",
        "sandwiches were stale"]
OTHER = ["the nurse was kind", "staff were helpful", "the doctor explained well",
         "waited two hours", "the ward was clean"]
OPENERS = ["Honestly", "Overall", "On my visit", "Sadly", "Today"]

ROOT = Path(__file__).resolve().parents[1]


def coded_rows() -> list[tuple[str, str]]:
    rows = []
    for i, opener in enumerate(OPENERS):
        for j in range(5):
            rows.append((f"{opener}, {PARKING[(i + j) % 5]}.", "parking"))
            rows.append((f"{opener}, {FOOD[(i + 2 * j) % 5]}.", "food"))
            rows.append((f"{opener}, {OTHER[(i + j) % 5]}.", ""))
            if j == 0:
                rows.append((f"{opener}, {PARKING[i]} and {FOOD[i]}.", "parking|food"))
    return rows


@pytest.fixture()
def project(tmp_path):
    config = yaml.safe_load((ROOT / "config" / "pipeline.yaml").read_text(encoding="utf-8"))
    config.setdefault("tag", {}).update(semantic=False, advanced={
        "keywords": False, "patterns": False, "embedding_cache": None})
    config["input"]["score_columns"] = []  # the sample's statements link to its own themes
    (tmp_path / "pipeline.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    themes = {"version": 1, "themes": [{"id": "parking", "label": "Parking"},
                                       {"id": "food", "label": "Food"},
                                       {"id": "noise", "label": "Noise"}]}
    (tmp_path / "themes.yaml").write_text(yaml.safe_dump(themes), encoding="utf-8")
    lines = ["text,codes"] + [f'"{text}",{labels}' for text, labels in coded_rows()]
    (tmp_path / "coded.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_text_groups_keep_identical_texts_together():
    groups = learned.text_groups(["A b", "a  B", "c"])
    assert groups[0] == groups[1] != groups[2]


def test_best_thresholds_pick_the_f1_maximum():
    truth = np.array([[1], [1], [0], [0]], dtype=bool)
    proba = np.array([[0.9], [0.4], [0.3], [0.1]])
    best = 0.325  # the F1 maximum on the grid, shrunk halfway towards 0.5
    assert learned.best_thresholds(truth, proba)[0] == pytest.approx(0.5 + (best - 0.5) / 2)


def test_train_cli_reports_cv_scores_and_saves_a_safe_model(project):
    out = project / "models" / "demo"
    result = CliRunner().invoke(app, [
        "train", str(project / "coded.csv"), "--themes", str(project / "themes.yaml"),
        "--config", str(project / "pipeline.yaml"), "--out", str(out), "--labels-column", "codes",
        "--embedder", "none", "--folds", "3"])
    assert result.exit_code == 0, result.output
    assert "3-fold cross-validation" in result.stdout and "micro F1" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["arrays.npz", "model.json"]
    with np.load(out / "arrays.npz", allow_pickle=False) as arrays:  # no objects inside
        assert arrays["coef"].shape[0] == 3
    meta = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert meta["theme_ids"] == ["parking", "food", "noise"]
    assert meta["info"]["cv"]["micro_f1"] > 0.8

    model = learned.load_model(out)
    themes = load_themes(project / "themes.yaml")
    proba = model.proba_of(["Sadly, the car park was full.", "Today, the meals were cold."])
    assert proba[0, 0] > model.thresholds_[0] and proba[1, 1] > model.thresholds_[1]
    assert proba[:, 2].max() < 0.01                     # 'noise' was never coded
    texts = ["Sadly, the car park was full.", "Today, the meals were cold."]
    np.testing.assert_array_equal(model.predict_proba(texts), proba)  # scikit-learn names
    assert model.predict(texts).tolist() == [[True, False, False], [False, True, False]]

    from pipeline import run_settings

    settings = run_settings.load_settings(project / "pipeline.yaml", project / "themes.yaml",
                                    model_dir=out)
    assert settings.themes == themes
    texts = ["The nurse was kind. Sadly, the car park was full.", "Staff were helpful."]
    sentences = sentences_of(texts, settings)
    before = sentences.copy(deep=True)
    tags = tag.tag(sentences, settings)["tags"]
    pd.testing.assert_frame_equal(sentences, before)                    # input unchanged
    pd.testing.assert_frame_equal(tag.tag(sentences, settings)["tags"], tags)  # same twice
    assert list(tags["method"]) == ["classifier"]
    hit = tags.iloc[0]
    assert (hit["comment_id"], hit["sentence_id"], hit["theme_id"]) == ("c1", "c1#2", "parking")
    assert hit["evidence"] == "Sadly, the car park was full."

    evaluated = CliRunner().invoke(app, [
        "eval", str(project / "coded.csv"), "--themes", str(project / "themes.yaml"),
        "--config", str(project / "pipeline.yaml"), "--labels-column", "codes",
        "--model", str(out), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.stdout)["micro_f1"] > 0.9  # its own training data


def test_model_for_other_themes_is_refused(project):
    out = project / "models" / "demo"
    CliRunner().invoke(app, [
        "train", str(project / "coded.csv"), "--themes", str(project / "themes.yaml"),
        "--config", str(project / "pipeline.yaml"), "--out", str(out), "--embedder", "none",
        "--folds", "3"])
    (project / "other.yaml").write_text(yaml.safe_dump(
        {"version": 1, "themes": [{"id": "parking", "label": "Parking"}]}), encoding="utf-8")
    result = CliRunner().invoke(app, [
        "eval", str(project / "coded.csv"), "--themes", str(project / "other.yaml"),
        "--config", str(project / "pipeline.yaml"), "--model", str(out)])
    assert result.exit_code == 1
    assert "Error [C022]" in result.stderr and "food, noise" in result.stderr


def test_missing_model_folder_is_a_clear_error(project):
    result = CliRunner().invoke(app, [
        "eval", str(project / "coded.csv"), "--themes", str(project / "themes.yaml"),
        "--config", str(project / "pipeline.yaml"), "--model", str(project / "nowhere")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error [C022]: {project / 'nowhere'}: not a trained model")


def test_damaged_model_is_refused(project):
    out = project / "models" / "demo"
    CliRunner().invoke(app, [
        "train", str(project / "coded.csv"), "--themes", str(project / "themes.yaml"),
        "--config", str(project / "pipeline.yaml"), "--out", str(out), "--labels-column", "codes",
        "--embedder", "none", "--folds", "3"])
    with np.load(out / "arrays.npz", allow_pickle=False) as saved:
        arrays = dict(saved)
    np.savez(out / "arrays.npz", **{**arrays, "coef": arrays["coef"][:, :5]})
    with pytest.raises(ConfigError) as caught:
        learned.load_model(out)
    assert caught.value.code == "C022" and "do not match its vocabularies" in caught.value.message
    meta = json.loads((out / "model.json").read_text(encoding="utf-8"))
    (out / "model.json").write_text(json.dumps({**meta, "spec": {"unknown": 1}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="incomplete or damaged"):
        learned.load_model(out)


def test_theme_examples_become_coded_comments(project):
    from pipeline import run_settings
    from pipeline.evaluation import training

    themes = yaml.safe_load((project / "themes.yaml").read_text(encoding="utf-8"))
    themes["themes"][0]["examples"] = ["No spaces left", "Noisy car park"]
    themes["themes"][2]["examples"] = ["Noisy car park", "The ward was noisy at night"]
    (project / "themes.yaml").write_text(yaml.safe_dump(themes), encoding="utf-8")
    settings = run_settings.load_settings(project / "pipeline.yaml", project / "themes.yaml")
    extra = training.theme_examples(settings)
    assert extra.texts == ["No spaces left", "Noisy car park", "The ward was noisy at night"]
    assert extra.truth.tolist() == [[True, False, False], [True, False, True],
                                    [False, False, True]]
    # an example identical to a comment about to be scored never trains its own score
    kept = extra.without(["noisy  CAR park", "something else"])
    assert kept.texts == ["No spaces left", "The ward was noisy at night"]
    assert kept.truth.tolist() == [[True, False, False], [False, False, True]]


def test_train_learns_a_theme_from_its_examples_alone(project):
    themes = yaml.safe_load((project / "themes.yaml").read_text(encoding="utf-8"))
    themes["themes"][2]["examples"] = [  # 'noise' is never coded in coded.csv
        "the ward was noisy at night", "too much noise to sleep", "loud noise from the corridor",
        "noisy machines beeping all night", "other patients shouting, so noisy"]
    (project / "themes.yaml").write_text(yaml.safe_dump(themes), encoding="utf-8")
    args = ["train", str(project / "coded.csv"), "--themes", str(project / "themes.yaml"),
            "--config", str(project / "pipeline.yaml"), "--labels-column", "codes",
            "--embedder", "none", "--folds", "3"]
    noisy = ["Sadly, the ward was so noisy at night.", "Today, the meals were cold."]
    with_examples = CliRunner().invoke(app, [*args, "--out", str(project / "with")])
    assert with_examples.exit_code == 0, with_examples.output
    assert "plus 5 theme examples in training" in with_examples.stdout
    model = learned.load_model(project / "with")
    assert model.info_["theme_examples"] == 5
    assert model.tagged(model.proba_of(noisy))[:, 2].tolist() == [True, False]

    without = CliRunner().invoke(app, [*args, "--out", str(project / "without"),
                                       "--no-theme-examples"])
    assert without.exit_code == 0, without.output
    plain = learned.load_model(project / "without")
    assert plain.info_["theme_examples"] == 0
    assert not plain.tagged(plain.proba_of(noisy))[:, 2].any()


def test_finetuned_model_is_blended_saved_as_safetensors_and_checksummed(project):
    out = project / "models" / "tuned"
    args = ["train", str(project / "coded.csv"), "--themes", str(project / "themes.yaml"),
            "--config", str(project / "pipeline.yaml"), "--labels-column", "codes",
            "--embedder", "none", "--folds", "2"]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--finetune", "--epochs", "1"])
    assert result.exit_code == 0, result.output
    assert "fine-tuned MiniLM blended in" in result.stdout
    assert "epoch 1/1" in result.stderr and "cross-validation fold 2/2" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["arrays.npz", "encoder.safetensors",
                                                     "model.json"]
    meta = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert meta["finetune"]["spec"]["epochs"] == 1 and len(meta["finetune"]["sha256"]) == 64

    model = learned.load_model(out)
    texts = ["Sadly, the car park was full.", "Today, the meals were cold."]
    tuned = model.finetuned_.proba(texts)
    linear = learned.probabilities(model.features_.transform(texts), model.coef_, model.intercept_)
    np.testing.assert_allclose(model.proba_of(texts), 0.5 * tuned + 0.5 * linear)
    assert model.tagged(model.proba_of(texts))[:, :2].tolist() == [[True, False], [False, True]]

    weights = bytearray((out / "encoder.safetensors").read_bytes())
    weights[-1] ^= 1  # one changed bit in the last tensor
    (out / "encoder.safetensors").write_bytes(bytes(weights))
    with pytest.raises(ConfigError, match="SHA-256 does not match"):
        learned.load_model(out)

    again = CliRunner().invoke(app, [*args, "--out", str(out)])  # retrained without it
    assert again.exit_code == 0, again.output
    assert not (out / "encoder.safetensors").exists()
    assert learned.load_model(out).finetuned_ is None


def test_semantic_layer_leaves_the_models_themes_to_it(project):
    from pipeline import run_settings

    rows = coded_rows()
    texts = [text for text, _ in rows]
    truth = np.array([["parking" in labels, "food" in labels, False] for _, labels in rows])
    model = learned.fit_model(texts, truth, learned.FeatureSpec(embedder=None), 0, inner_folds=0,
                            theme_ids=["parking", "food", "noise"])
    assert model.trained_themes == {"parking", "food"}
    settings = run_settings.load_settings(project / "pipeline.yaml", project / "themes.yaml")
    every_hit = {"semantic": True, "embedder": "tfidf-svd", "semantic_threshold": -1.0,
                 "semantic_top_k": 0, "semantic_margin": 0.0,
                 "no_theme": []}  # every sentence x theme is a semantic hit
    sentences = sentences_of(["Sadly, the car park was full.", "The ward was loud."], settings)

    def semantic_themes(**options):
        cfg = settings.pipeline.tag.updated(**every_hit, **options)
        local = settings.model_copy(update={
            "pipeline": settings.pipeline.model_copy(update={"tag": cfg}), "tag_model": model})
        tags = tag.tag(sentences, local)["tags"]
        return set(tags.loc[tags["method"] == "semantic", "theme_id"])

    assert semantic_themes() == {"noise"}
    assert semantic_themes(semantic_with_classifier=True) == {"parking", "food", "noise"}


def test_question_column_lets_the_model_read_the_question(project):
    from pipeline import run_settings

    short = ["No.", "No", "Nope.", "None.", "Nothing.", "no!"]
    lines = ["text,codes,question"] + [f'"{text}",{labels},why' for text, labels in coded_rows()]
    lines += [f'"{text}",parking,parking_problems' for text in short]  # "No" = no parking space
    lines += [f'"{text}",,why' for text in short]                      # "No" = nothing to say
    (project / "coded.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = project / "models" / "asked"
    result = CliRunner().invoke(app, [
        "train", str(project / "coded.csv"), "--themes", str(project / "themes.yaml"),
        "--config", str(project / "pipeline.yaml"), "--out", str(out), "--labels-column", "codes",
        "--question-column", "question", "--embedder", "none", "--folds", "3"])
    assert result.exit_code == 0, result.output
    assert learned.load_model(out).info_["question_column"] == "question"
    settings = run_settings.load_settings(project / "pipeline.yaml", project / "themes.yaml",
                                    model_dir=out)
    sentences = sentences_of(["No.", "No."], settings, ["parking_problems", "why"])
    tags = tag.tag(sentences, settings)["tags"]
    assert list(zip(tags["comment_id"], tags["theme_id"], strict=True)) == [("c1", "parking")]
    evaluated = CliRunner().invoke(app, [
        "eval", str(project / "coded.csv"), "--themes", str(project / "themes.yaml"),
        "--config", str(project / "pipeline.yaml"), "--labels-column", "codes",
        "--question-column", "question", "--model", str(out), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    parking = json.loads(evaluated.stdout)["per_theme"][0]
    assert parking["recall"] == 1.0 and parking["precision"] == 1.0  # its own training data


def test_not_examples_train_as_comments_with_no_theme(project):
    from pipeline import run_settings
    from pipeline.evaluation import training

    themes = yaml.safe_load((project / "themes.yaml").read_text(encoding="utf-8"))
    themes["themes"][0]["examples"] = ["No spaces left"]
    themes["themes"][0]["not_examples"] = ["The forum is great", "No spaces left"]
    (project / "themes.yaml").write_text(yaml.safe_dump(themes), encoding="utf-8")
    settings = run_settings.load_settings(project / "pipeline.yaml", project / "themes.yaml")
    extra = training.theme_examples(settings)
    # a sentence that is also an example keeps its theme; the other trains with none
    assert extra.texts == ["No spaces left", "The forum is great"]
    assert extra.truth.tolist() == [[True, False, False], [False, False, False]]


def test_features_follow_the_scikit_learn_contract():
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    features = learned.Features(learned.FeatureSpec(embedder=None))
    with pytest.raises(NotFittedError):
        features.transform(["The car park was full."])
    assert clone(features).get_params() == features.get_params() == {"spec": features.spec}
    texts = ["The car park was full.", "The meals were cold.", "Noise at night kept me up."]
    matrix = features.fit_transform(texts)
    assert matrix.shape[0] == 3 and (matrix != features.transform(texts)).nnz == 0
