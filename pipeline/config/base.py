"""The base of every config model: unknown keys are errors and loaded settings never change."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A config section: an unknown key is an error (a typo never passes silently) and a
    loaded model is frozen (a stage cannot change what another stage reads)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy with ``update`` applied; an unknown key raises instead of being set unread
        (pydantic's own copy would accept it, so a moved setting would silently do nothing)."""
        fields = type(self).model_fields
        unknown = [key for key in (update or {}) if key not in fields]
        if unknown:
            advanced = _inner_fields(fields.get("advanced"))
            moved = [f"advanced.{key}" for key in unknown if key in advanced]
            hint = f"; it moved: update {', '.join(moved)}" if moved else ""
            raise ValueError(f"{type(self).__name__} has no setting {', '.join(unknown)}{hint}")
        return super().model_copy(update=update, deep=deep)

    def updated(self, **options: Any) -> Any:
        """A copy with each option set where it lives: on this section, or on its
        ``advanced:`` block (``discover.updated(umap_epochs=50, enabled=False)``)."""
        advanced = _inner_fields(type(self).model_fields.get("advanced"))
        inner = {key: value for key, value in options.items()
                 if key not in type(self).model_fields and key in advanced}
        update = {key: value for key, value in options.items() if key not in inner}
        if inner:
            block = self.advanced  # type: ignore[attr-defined]
            update["advanced"] = block.model_copy(update=inner)
        return self.model_copy(update=update)


def _inner_fields(field: Any) -> dict[str, Any]:
    """The fields of the model a field holds (its ``advanced:`` block), or none."""
    annotation = getattr(field, "annotation", None)
    return getattr(annotation, "model_fields", {}) if annotation is not None else {}
