"""What recommendations are drafted from: quote choice, score tables, candidate-theme names."""
