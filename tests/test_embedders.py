"""Pretrained embedders (issue 14 item 2, issue 9 leftovers): ``minilm-onnx`` agrees with
sentence-transformers MiniLM and refuses a damaged model file, vectors are reused from the
cache, the Hugging Face offline switches do not leak into the process, and the in-memory
caches are bounded (least recently used dropped first).

The ONNX model is built once per test session in a temporary folder (about 30 s on 2 cores);
those tests skip only when onnxruntime is not installed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from pipeline.config.models import load_pipeline
from pipeline.embed import base, minilm, model_files, registry, switching, vector_cache
from pipeline.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = [
    "The nurse was kind and explained everything to me.",
    "We waited four hours in A&E and nobody told us why.",
    "Parking at the hospital is far too expensive.",
    "The doctor listened and did not rush me.",
    "Food on the ward was cold.",
    "Communication between departments was poor.",
]


@pytest.fixture(scope="session")
def onnx_dir(tmp_path_factory) -> Path:
    pytest.importorskip("onnxruntime", reason="minilm-onnx needs onnxruntime (not installed)")
    from pipeline.embed import onnx_minilm

    return onnx_minilm.build(tmp_path_factory.mktemp("models") / "minilm-onnx")


@pytest.fixture()
def no_secret():
    registry.use_cache_secret(None)
    yield
    registry.use_cache_secret(None)


class Counting(base.CachedEmbedder):
    """Records what it is asked to embed."""

    name = "counting"
    dims = 2

    def __init__(self, max_entries: int | None = None) -> None:
        super().__init__(max_entries)
        self.calls: list[list[str]] = []

    def _encode(self, texts):
        self.calls.append(list(texts))
        return np.array([[len(t), 1.0] for t in texts])


def test_onnx_vectors_agree_with_sentence_transformers(onnx_dir: Path, no_secret) -> None:
    from pipeline.embed.onnx_minilm import OnnxMiniLMEmbedder

    fast = OnnxMiniLMEmbedder(onnx_dir).transform(SENTENCES)
    reference = minilm.MiniLMEmbedder().transform(SENTENCES)
    cosines = (fast * reference).sum(axis=1)
    assert fast.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0)
    assert cosines.min() > 0.99, cosines
    # beside longer texts, a short text keeps its vector (a mask the export lost would put it
    # near 0.65)
    alone = OnnxMiniLMEmbedder(onnx_dir).transform([SENTENCES[4]])
    assert float(alone[0] @ fast[4]) > 0.99


def test_onnx_batches_side_by_side_give_the_vectors_of_one_at_a_time(onnx_dir: Path) -> None:
    from pipeline.embed import onnx_minilm

    session, tokenizer = onnx_minilm.load(onnx_dir)
    texts = [f"{s} ({i})" for i, s in enumerate(SENTENCES * 6)]  # several batches of 16
    serial = onnx_minilm.run_session(session, tokenizer, texts, batch_size=4, threads=1)
    side_by_side = onnx_minilm.run_session(session, tokenizer, texts, batch_size=4, threads=3)
    assert len(texts) > 3 * 4
    assert np.array_equal(serial, side_by_side)  # same batches, each written to its own rows
    assert not np.any(np.all(serial == 0, axis=1))  # every row filled


def test_an_onnx_vector_does_not_depend_on_the_sentences_beside_it(onnx_dir: Path) -> None:
    # activations are quantised per token and pooling is per text, so the Dask partitions
    # (other batch-mates) give the local vectors
    from pipeline.embed.onnx_minilm import OnnxMiniLMEmbedder

    alone = OnnxMiniLMEmbedder(onnx_dir).transform([SENTENCES[4]])
    among = OnnxMiniLMEmbedder(onnx_dir).transform(list(reversed(SENTENCES)) * 3)
    assert np.array_equal(alone[0], among[len(SENTENCES) - 1 - 4])


def test_batched_onnx_vectors_keep_their_bits_beside_any_batch_mates(onnx_dir: Path) -> None:
    from pipeline.embed import onnx_minilm

    session, tokenizer = onnx_minilm.load(onnx_dir)
    texts = [f"{s} ({i})" for i, s in enumerate(SENTENCES * 4)]
    texts += ["ok", "A much longer sentence about the car park, the ward, the food and the "
              "nurses, which pads every other text in its batch with many empty places."]
    alone = np.vstack([onnx_minilm.run_session(session, tokenizer, [t], batch_size=1)
                       for t in texts])
    for batch_size in (2, 5, 16, len(texts)):
        batched = onnx_minilm.run_session(session, tokenizer, texts, batch_size=batch_size)
        assert np.array_equal(batched, alone), batch_size
    shuffled = np.random.default_rng(0).permutation(len(texts))
    mixed = onnx_minilm.run_session(session, tokenizer, [texts[i] for i in shuffled],
                                    batch_size=7)
    assert np.array_equal(mixed, alone[shuffled])


TINY_WEIGHTS = np.random.default_rng(0).normal(size=(2, 16, 16)).astype(np.float32)


def _tiny_quantised(tmp_path: Path, per_row: bool) -> Path:
    """A two-MatMul float model quantised by ``quantize_dynamic`` (then, with ``per_row``,
    rewritten by ``row_quant``)."""
    pytest.importorskip("onnxruntime", reason="needs onnxruntime")
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from pipeline.embed.row_quant import per_row_activations

    weights = TINY_WEIGHTS
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w0"], ["h"], name="first"),
         helper.make_node("Relu", ["h"], ["r"], name="relu"),
         helper.make_node("MatMul", ["r", "w1"], ["y"], name="second")],
        "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["rows", 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["rows", 16])],
        [numpy_helper.from_array(weights[0], "w0"), numpy_helper.from_array(weights[1], "w1")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, tmp_path / "float.onnx")
    quantize_dynamic(str(tmp_path / "float.onnx"), str(tmp_path / "per-tensor.onnx"),
                     weight_type=QuantType.QInt8, per_channel=True)
    if not per_row:
        return tmp_path / "per-tensor.onnx"
    assert per_row_activations(tmp_path / "per-tensor.onnx", tmp_path / "per-row.onnx") == 2
    return tmp_path / "per-row.onnx"


@pytest.mark.parametrize("per_row", [False, True])
def test_row_quant_makes_a_row_independent_of_its_batch_mates(tmp_path: Path,
                                                              per_row: bool) -> None:
    import onnxruntime as ort

    session = ort.InferenceSession(str(_tiny_quantised(tmp_path, per_row)),
                                   providers=["CPUExecutionProvider"])
    rows = np.random.default_rng(1).normal(size=(3, 16)).astype(np.float32)
    rows[2] *= 40  # a loud batch-mate: one scale per tensor would coarsen the others
    alone = np.vstack([session.run(None, {"x": rows[i:i + 1]})[0] for i in range(3)])
    together = session.run(None, {"x": rows})[0]
    # per tensor (quantize_dynamic as it is) the quiet rows move; per row, no bit does
    assert np.array_equal(together[:2], alone[:2]) is per_row
    if per_row:  # and it is still the float model, within int8 rounding
        reference = np.maximum(rows @ TINY_WEIGHTS[0], 0) @ TINY_WEIGHTS[1]
        cosines = (together * reference).sum(axis=1) / (
            np.linalg.norm(together, axis=1) * np.linalg.norm(reference, axis=1))
        assert cosines.min() > 0.95, cosines  # 16 dimensions: coarse, but the same map


def test_onnx_side_by_side_batches_follow_omp_num_threads(monkeypatch) -> None:
    from pipeline.embed import onnx_minilm

    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # what Dask sets in its worker processes
    assert onnx_minilm.cores() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert onnx_minilm.cores() == 3
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert onnx_minilm.cores() >= 1


def test_onnx_folder_holds_the_model_its_tokenizer_and_their_sums(onnx_dir: Path) -> None:
    from pipeline.embed import onnx_minilm

    sums = onnx_minilm.read_sums(onnx_dir)
    assert set(sums) == {"model.onnx", "tokenizer.json", "build.json"}
    assert not [p.name for p in onnx_dir.parent.iterdir() if p.name.startswith(".")]
    onnx_minilm.verify(onnx_dir)  # a good folder passes


def test_a_damaged_onnx_model_is_refused_with_the_fix(onnx_dir: Path, tmp_path: Path) -> None:
    from pipeline.embed.onnx_minilm import OnnxMiniLMEmbedder

    damaged = tmp_path / "minilm-onnx"
    shutil.copytree(onnx_dir, damaged)
    model = damaged / "model.onnx"
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    with pytest.raises(ConfigError) as caught:
        OnnxMiniLMEmbedder(damaged).transform(["Hello."])
    assert caught.value.code == "C031"
    assert str(model) in caught.value.message
    assert f"delete the folder {damaged}" in caught.value.message
    (damaged / "model.sha256").unlink()
    with pytest.raises(ConfigError) as caught:
        OnnxMiniLMEmbedder(damaged).transform(["Hello."])
    assert caught.value.code == "C031" and "not a minilm-onnx model folder" in caught.value.message


def _as_an_earlier_recipe(folder: Path, recipe: int | None = None) -> None:
    """Rewrite ``folder``'s build.json as a build by ``recipe`` wrote it (None: recipe 1, which
    recorded none), sums kept."""
    import json

    from pipeline.embed import onnx_minilm
    from pipeline.io.checksums import sha256_file

    info = json.loads((folder / "build.json").read_text(encoding="utf-8"))
    if recipe is None:
        del info["recipe"]
    else:
        info["recipe"] = recipe
    (folder / "build.json").write_text(json.dumps(info), encoding="utf-8")
    (folder / "model.sha256").write_text(
        "".join(f"{sha256_file(folder / name)}  {name}\n"
                for name in onnx_minilm.CHECKED_FILES), encoding="utf-8")


def test_an_earlier_recipes_folder_is_built_again_and_its_cached_vectors_are_not_used(
        onnx_dir: Path, tmp_path: Path) -> None:
    from pipeline.embed import onnx_minilm
    from pipeline.embed.onnx_minilm import OnnxMiniLMEmbedder

    old = tmp_path / "models" / "minilm-onnx"
    shutil.copytree(onnx_dir, old)
    _as_an_earlier_recipe(old)
    onnx_minilm.verify(old)  # a sound folder, only of an earlier recipe
    assert onnx_minilm.recipe_of(old) == 1
    cache = tmp_path / "cache"
    cache.mkdir()
    registry.use_cache_secret(b"s" * 32)
    try:
        embedder = OnnxMiniLMEmbedder(old)
        assert embedder.cache_stem() is None  # vectors saved from it are not this recipe's
        (cache / "minilm-onnx.npz").write_bytes(b"vectors of an earlier build")
        assert vector_cache.load_cache(embedder, cache) == 0
        vectors = embedder.transform(SENTENCES[:2])  # builds the current recipe, swaps it in
    finally:
        registry.use_cache_secret(None)
    assert onnx_minilm.recipe_of(old) == onnx_minilm.RECIPE
    onnx_minilm.verify(old)
    assert sorted(p.name for p in old.parent.iterdir()) == ["minilm-onnx"]  # nothing left aside
    assert embedder.cache_stem() == (
        f"minilm-onnx-{onnx_minilm.read_sums(old)['model.onnx'][:12]}")
    fresh = OnnxMiniLMEmbedder(onnx_dir).transform(SENTENCES[:2])
    assert np.allclose(vectors, fresh, atol=1e-5)


def test_a_recipe_3_folder_is_not_taken_for_the_current_build(onnx_dir: Path,
                                                              tmp_path: Path) -> None:
    """Recipe 4 runs without ONNX Runtime's SkipLayerNormalization fusion, so its vectors
    differ from recipe 3's in the last bits: a folder built by 3 is built again, and vectors
    cached from it are not used."""
    from pipeline.embed import onnx_minilm
    from pipeline.embed.onnx_minilm import OnnxMiniLMEmbedder

    old = tmp_path / "minilm-onnx"
    shutil.copytree(onnx_dir, old)
    _as_an_earlier_recipe(old, 3)
    onnx_minilm.verify(old)
    assert onnx_minilm.recipe_of(old) == 3
    assert OnnxMiniLMEmbedder(old).cache_stem() is None
    assert OnnxMiniLMEmbedder(onnx_dir).cache_stem() is not None


def _batch_dependent_model(path: Path) -> Path:
    """A stand-in for MiniLM (token ids in, 384 numbers per token out) quantised per tensor
    by ``quantize_dynamic`` as it is: a token's numbers depend on the largest id in its batch."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    weights = np.random.default_rng(2).normal(size=(2, 384, 384)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Cast", ["input_ids"], ["ids"], to=TensorProto.FLOAT),
         helper.make_node("Unsqueeze", ["ids", "last"], ["column"]),
         helper.make_node("Mul", ["column", "spread"], ["spread_ids"]),
         helper.make_node("Sin", ["spread_ids"], ["features"]),
         helper.make_node("Mul", ["features", "column"], ["loud"]),
         helper.make_node("MatMul", ["loud", "w0"], ["hidden"]),
         helper.make_node("MatMul", ["hidden", "w1"], ["token_embeddings"])],
        "batch_dependent",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("token_embeddings", TensorProto.FLOAT,
                                       ["batch", "tokens", 384])],
        [numpy_helper.from_array(np.array([-1], dtype=np.int64), "last"),
         numpy_helper.from_array(np.linspace(0.01, 3, 384, dtype=np.float32), "spread"),
         numpy_helper.from_array(weights[0], "w0"), numpy_helper.from_array(weights[1], "w1")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path.with_suffix(".float.onnx"))
    quantize_dynamic(str(path.with_suffix(".float.onnx")), str(path),
                     weight_type=QuantType.QInt8, per_channel=True)
    return path


def test_the_build_refuses_a_model_whose_vectors_depend_on_the_batch(onnx_dir: Path,
                                                                     tmp_path: Path) -> None:
    from pipeline.embed import onnx_minilm

    tokenizer = onnx_minilm._tokenizer(onnx_dir, 256)
    onnx_minilm._check_rows_apart(onnx_dir / "model.onnx", tokenizer)  # the built one passes
    with pytest.raises(ConfigError) as caught:
        onnx_minilm._check_rows_apart(_batch_dependent_model(tmp_path / "model.onnx"), tokenizer)
    assert caught.value.code == "C030"
    assert "another vector in a batch than alone" in caught.value.message


def test_the_build_check_refuses_a_model_that_disagrees(onnx_dir: Path) -> None:
    from pipeline.embed import onnx_minilm

    tokenizer = onnx_minilm._tokenizer(onnx_dir, 256)
    unrelated = np.random.default_rng(0).normal(size=(len(onnx_minilm.PROBES), 384))
    with pytest.raises(ConfigError) as caught:
        onnx_minilm._check(onnx_dir / "model.onnx", tokenizer, unrelated, 0.999, "exported")
    assert caught.value.code == "C030" and "nothing was written" in caught.value.message


def test_onnx_vectors_are_reused_from_the_keyed_cache(onnx_dir: Path, tmp_path: Path,
                                                     monkeypatch) -> None:
    from pipeline.embed import onnx_minilm
    from pipeline.embed.onnx_minilm import OnnxMiniLMEmbedder

    registry.use_cache_secret(b"s" * 32)
    try:
        first = OnnxMiniLMEmbedder(onnx_dir)
        vectors = first.transform(SENTENCES[:3])
        path = vector_cache.save_cache(first, tmp_path)
        digest = onnx_minilm.read_sums(onnx_dir)["model.onnx"]
        assert path == tmp_path / f"minilm-onnx-{digest[:12]}.npz"  # the build's own file
        second = OnnxMiniLMEmbedder(onnx_dir)
        assert vector_cache.load_cache(second, tmp_path) == 3

        def no_model(texts):
            raise AssertionError(f"embedded again: {texts}")

        monkeypatch.setattr(second, "_encode", no_model)
        assert np.allclose(second.transform(SENTENCES[:3]), vectors)
    finally:
        registry.use_cache_secret(None)


def test_loading_models_leaves_the_offline_switches_as_they_were(onnx_dir: Path,
                                                                 monkeypatch) -> None:
    from pipeline.embed.onnx_minilm import OnnxMiniLMEmbedder

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
    minilm.MiniLMEmbedder().transform(["Loaded offline."])
    OnnxMiniLMEmbedder(onnx_dir).transform(["Loaded offline."])
    assert "HF_HUB_OFFLINE" not in os.environ
    assert os.environ["TRANSFORMERS_OFFLINE"] == "0"
    with model_files.offline_hub():
        assert os.environ["HF_HUB_OFFLINE"] == os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert "HF_HUB_OFFLINE" not in os.environ and os.environ["TRANSFORMERS_OFFLINE"] == "0"


def test_memory_cache_keeps_the_most_recently_used_vectors(no_secret) -> None:
    embedder = Counting(max_entries=2)
    embedder.transform(["a", "bb"])
    embedder.transform(["a"])          # a is now the most recently used
    embedder.transform(["ccc"])        # over the bound: bb goes
    assert list(embedder.cache_) == [base.text_key("a"), base.text_key("ccc")]
    embedder.transform(["bb"])
    assert embedder.calls == [["a", "bb"], ["ccc"], ["bb"]]
    # a batch larger than the bound still comes back whole and in order
    vectors = embedder.transform(["dddd", "e", "ff", "dddd"])
    assert vectors[:, 0].tolist() == pytest.approx(
        [4 / np.hypot(4, 1), 1 / np.hypot(1, 1), 2 / np.hypot(2, 1), 4 / np.hypot(4, 1)])
    assert len(embedder.cache_) == 2
    restored = Counting(max_entries=3)
    restored.add_to_cache(np.array([f"k{i}" for i in range(5)]), np.ones((5, 2)))
    assert list(restored.cache_) == ["k2", "k3", "k4"]


def test_memory_cache_bound_comes_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "pipeline.yaml"
    config.write_text("version: 1\ninput:\n  text_columns:\n    - {column: c, question: c}\n"
                      "tag:\n  advanced:\n    memory_cache_entries: 3\n"
                      "    onnx_model_dir: models/onnx\n",
                      encoding="utf-8")
    tag = load_pipeline(config).tag
    assert tag.advanced.memory_cache_entries == 3
    assert Path(tag.advanced.onnx_model_dir) == tmp_path / "models" / "onnx"
    shipped = load_pipeline(ROOT / "config" / "pipeline.yaml").tag
    assert shipped.advanced.memory_cache_entries == 100000
    assert Path(shipped.advanced.onnx_model_dir) == ROOT / "models" / "minilm-onnx"
    try:
        embedder = registry.embedder_for_settings("minilm-onnx", tag)
        assert embedder.max_entries == 3 and embedder.onnx_dir == tag.advanced.onnx_model_dir
        assert registry.embedder_for_settings("minilm-onnx", tag) is embedder  # shared
        assert not (tmp_path / "models").exists()  # nothing is built before the first use
    finally:
        registry.forget_embedders()


def test_embedders_follow_scikit_learn_conventions(tmp_path: Path) -> None:
    from pipeline.embed.onnx_minilm import OnnxMiniLMEmbedder

    embedder = OnnxMiniLMEmbedder(tmp_path / "m", max_entries=5)
    assert embedder.get_params() == {"onnx_dir": tmp_path / "m", "max_entries": 5}
    copy = clone(embedder)
    assert copy.get_params() == embedder.get_params() and copy.cache_ == {}
    assert minilm.MiniLMEmbedder().fit(["x"]).get_params() == {"max_entries": None}
    assert not (tmp_path / "m").exists()  # constructing and cloning build nothing


def _with(settings, section: str, **update):
    part = getattr(settings.pipeline, section).updated(**update)
    return settings.model_copy(update={"pipeline": settings.pipeline.model_copy(
        update={section: part})})


def test_onnx_is_chosen_by_round_size_only_when_opted_in(settings) -> None:
    assert settings.pipeline.tag.advanced.onnx_from_rows == 5000  # large rounds only, by default
    assert switching.for_round_size(settings, 4999) == (settings, None)
    never = _with(settings, "tag", onnx_from_rows=None, static_from_rows=None)
    assert switching.for_round_size(never, 10**6) == (never, None)
    opted = _with(settings, "tag", embedder="minilm", onnx_from_rows=10)
    opted = _with(opted, "discover", embedder="minilm")
    assert switching.for_round_size(opted, 9) == (opted, None)
    chosen, note = switching.for_round_size(opted, 10)
    assert chosen.pipeline.tag.embedder == chosen.pipeline.discover.embedder == "minilm-onnx"
    assert note == ("10 input rows >= tag.advanced.onnx_from_rows (10): tag.embedder and "
                    "discover.embedder minilm -> minilm-onnx")
    static = _with(opted, "discover", embedder="tfidf-svd")
    chosen, note = switching.for_round_size(static, 10)
    assert chosen.pipeline.discover.embedder == "tfidf-svd" and "discover" not in note


def test_very_large_rounds_switch_to_the_static_embedder(settings) -> None:
    assert settings.pipeline.tag.advanced.static_from_rows == 100000  # very large rounds only
    both = _with(_with(settings, "tag", embedder="minilm", onnx_from_rows=10,
                       static_from_rows=100), "discover", embedder="minilm")
    chosen, note = switching.for_round_size(both, 99)
    assert chosen.pipeline.tag.embedder == "minilm-onnx"  # the onnx rule below the static one
    chosen, note = switching.for_round_size(both, 100)
    assert chosen.pipeline.tag.embedder == chosen.pipeline.discover.embedder == "minilm-static"
    assert note == ("100 input rows >= tag.advanced.static_from_rows (100): tag.embedder and "
                    "discover.embedder minilm -> minilm-static")
    mixed = _with(both, "discover", embedder="minilm-onnx")
    chosen, note = switching.for_round_size(mixed, 100)
    assert chosen.pipeline.discover.embedder == "minilm-static"
    assert note.endswith("tag.embedder minilm -> minilm-static; "
                         "discover.embedder minilm-onnx -> minilm-static")
    kept = _with(both, "tag", static_from_rows=None)
    assert switching.for_round_size(kept, 10**6)[0].pipeline.tag.embedder == "minilm-onnx"


def test_without_onnxruntime_the_round_keeps_minilm_and_says_so(settings, monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "onnxruntime" else real(name, *a))
    opted = _with(settings, "tag", embedder="minilm", onnx_from_rows=10)
    kept, note = switching.for_round_size(opted, 10)
    assert kept.pipeline.tag.embedder == "minilm"
    assert note == ("10 input rows >= tag.advanced.onnx_from_rows (10), but onnxruntime is not "
                    "installed (pip install 'comment-theming[onnx]'): kept minilm")


def test_the_manifest_says_when_the_round_size_chose_the_embedder() -> None:
    import pandas as pd

    from pipeline import load_settings, run_frame

    base = load_settings(None, None, text_columns=["comment"])
    # semantic off and tf-idf discovery: the switch is recorded without building a model
    opted = _with(_with(base, "tag", embedder="minilm", semantic=False, onnx_from_rows=3),
                  "discover", embedder="tfidf-svd")
    frame = pd.DataFrame({"comment": ["Parking is dear.", "Staff were kind.", "Food was cold."]})
    result = run_frame(frame, text_columns=["comment"], settings=opted)
    assert result.manifest["tag"]["embedder"] == "minilm-onnx"
    assert result.manifest["tag"]["embedder_by_size"].startswith("3 input rows >= ")
    fewer = run_frame(frame.head(2), text_columns=["comment"], settings=opted)
    assert fewer.manifest["tag"]["embedder"] == "minilm"
    assert fewer.manifest["tag"]["embedder_by_size"] is None
