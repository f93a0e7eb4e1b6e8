"""Which pretrained embedder a round gets by its size: ``minilm`` becomes ``minilm-onnx`` from
``tag.advanced.onnx_from_rows`` input rows, and ``minilm``/``minilm-onnx`` become ``minilm-static`` from
``tag.advanced.static_from_rows``, when the optional package each needs is installed; from
``tag.advanced.cascade_from_rows`` the semantic layer runs as a cascade (minilm-static first).
"""

from __future__ import annotations


def for_round_size(settings, rows: int):
    """(settings, note): ``embedder_for_round_size``, then ``cascade_for_round_size`` (notes
    joined by "; ")."""
    settings, embedder_note = embedder_for_round_size(settings, rows)
    settings, cascade_note = cascade_for_round_size(settings, rows)
    notes = [note for note in (embedder_note, cascade_note) if note]
    return settings, "; ".join(notes) if notes else None


def cascade_for_round_size(settings, rows: int):
    """(settings, note): with ``tag.advanced.cascade_from_rows`` set, at least that many rows,
    ``tag.advanced.cascade_margin`` null and ``tag.embedder`` minilm or minilm-onnx, the
    semantic layer becomes a cascade (``pipeline.tagging.cascade``) with margin
    ``CASCADE_MARGIN``, when model2vec is installed. The note says what changed (None when
    nothing did)."""
    from pipeline.config.settings import CASCADE_MARGIN

    tag = settings.pipeline.tag
    limit = tag.advanced.cascade_from_rows
    if (limit is None or rows < limit or tag.advanced.cascade_margin is not None
            or not tag.semantic or tag.embedder not in ("minilm", "minilm-onnx")):
        return settings, None
    import importlib.util

    where = f"{rows} input rows >= tag.advanced.cascade_from_rows ({limit})"
    if importlib.util.find_spec("model2vec") is None:
        return settings, (f"{where}, but model2vec is not installed (pip install "
                          f"'comment-theming[static]'): {tag.embedder} alone, no cascade")
    update = {"tag": tag.updated(cascade_margin=CASCADE_MARGIN)}
    return settings.model_copy(update={"pipeline": settings.pipeline.model_copy(update=update)}), (
        f"{where}: tag.advanced.cascade_margin null -> {CASCADE_MARGIN} (minilm-static first, "
        f"{tag.embedder} for sentences in doubt)")


def embedder_for_round_size(settings, rows: int):
    """(settings, note): the embedder a round of ``rows`` input rows gets for tagging and
    discovery. With ``tag.advanced.onnx_from_rows`` set and at least that many rows, ``minilm``
    becomes ``minilm-onnx``; with ``tag.advanced.static_from_rows`` set and at least that many rows,
    ``minilm`` and ``minilm-onnx`` become ``minilm-static``. The note says what changed
    (None when nothing did)."""
    pipeline = settings.pipeline
    onnx_limit, static_limit = pipeline.tag.advanced.onnx_from_rows, pipeline.tag.advanced.static_from_rows
    sections = ("tag", "discover")
    if static_limit is not None and rows >= static_limit:
        limit, setting, to = static_limit, "tag.advanced.static_from_rows", "minilm-static"
        swap = {s: getattr(pipeline, s).embedder in {"minilm", "minilm-onnx"} for s in sections}
    elif onnx_limit is not None and rows >= onnx_limit:
        limit, setting, to = onnx_limit, "tag.advanced.onnx_from_rows", "minilm-onnx"
        swap = {s: getattr(pipeline, s).embedder == "minilm" for s in sections}
    else:
        return settings, None
    if not any(swap.values()):
        return settings, None
    import importlib.util

    if to == "minilm-onnx" and importlib.util.find_spec("onnxruntime") is None:
        return settings, (f"{rows} input rows >= {setting} ({limit}), but onnxruntime "
                          "is not installed (pip install 'comment-theming[onnx]'): kept minilm")
    if to == "minilm-static" and importlib.util.find_spec("model2vec") is None:
        return settings, (f"{rows} input rows >= {setting} ({limit}), but model2vec "
                          "is not installed (pip install 'comment-theming[static]'): kept "
                          + " and ".join(getattr(pipeline, s).embedder
                                         for s in sections if swap[s]))
    was = {s: getattr(pipeline, s).embedder for s in sections}
    update = {section: getattr(pipeline, section).model_copy(update={"embedder": to})
              for section, changed in swap.items() if changed}
    changed = [s for s in sections if swap[s]]
    if len({was[s] for s in changed}) == 1:
        what = f"{' and '.join(f'{s}.embedder' for s in changed)} {was[changed[0]]} -> {to}"
    else:
        what = "; ".join(f"{s}.embedder {was[s]} -> {to}" for s in changed)
    note = f"{rows} input rows >= {setting} ({limit}): {what}"
    return settings.model_copy(update={"pipeline": pipeline.model_copy(update=update)}), note
