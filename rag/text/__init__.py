"""Text handling: language detection, the one normaliser and tokeniser, sentence splitting."""
