"""Hand-coded data read and scored: evaluation against a coded sample, training a tagger,
and the checks of a theme config against a round or a coded set."""
