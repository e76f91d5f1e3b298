"""The faces: command line, REPL, HTTP, MCP and the web glossary."""
