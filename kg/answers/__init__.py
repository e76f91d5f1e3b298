"""Answers: evidence, sentences, rendering, follow-ups and messages."""
