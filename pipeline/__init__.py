"""comment-theming: survey comments to themes, counts, recommendations and quotes."""

__version__ = "0.1.0"
