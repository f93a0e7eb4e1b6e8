"""One document model and one module per output format."""
