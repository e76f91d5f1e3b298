"""The engine: load, store, inference, evaluation and the back-ends."""
