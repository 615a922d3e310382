"""An OpenAI-compatible fake LLM upstream for tests, demos and benchmarks (see ``__main__``)."""
