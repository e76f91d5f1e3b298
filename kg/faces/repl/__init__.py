"""The interactive query REPL: pure completion logic, a command registry, rendering, the app."""
