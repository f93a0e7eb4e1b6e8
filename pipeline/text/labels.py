"""Labels that reach outputs (group values, question labels from column headers), redacted
like an answer."""

from __future__ import annotations

from pipeline.config.models import slugify
from pipeline.text.normalise import normalise
from pipeline.text.redact import Redactor


def redact_label(value: str, redactor: Redactor) -> str:
    """A group value or label, stripped and redacted like an answer."""
    return redactor(normalise(value, fix_mojibake=False))[0]


def question_label(column: str, question: str, redactor: Redactor) -> str:
    """The question label for a text column; when the label is the slug of a header holding
    personal data ("Feedback for jo.bloggs@nhs.net"), the slug of the redacted header."""
    if question == slugify(column):
        redacted = redact_label(column, redactor)
        return slugify(redacted) or question if redacted != column.strip() else question
    return redact_label(question, redactor) or question
