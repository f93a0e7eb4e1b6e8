"""The six stages, each a pure function over DataFrames, and the columns they pass on."""
