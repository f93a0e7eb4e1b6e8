"""What recommendations are drafted from: quote choice and score tables."""
