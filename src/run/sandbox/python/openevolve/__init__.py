"""evoalloc's stand-in for the parts of the `openevolve` package that task
evaluators import. The sandbox worker puts this folder on the import path only
when the real package is not installed (a real one always wins)."""
