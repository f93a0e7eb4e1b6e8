"""Round over round: compare finished run folders (``theming compare``)."""
