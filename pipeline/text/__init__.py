"""Text handling: spaCy sentences and lemmas, personal-data redaction, stance."""
