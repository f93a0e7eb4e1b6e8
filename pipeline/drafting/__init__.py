"""What recommendations are drafted from: quote choice, score tables, shares with their counts
and intervals, drafts in the respondents' words, candidate-theme names and emerging themes."""
