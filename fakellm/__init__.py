"""An OpenAI-compatible fake LLM upstream for tests, demos and benchmarks.

``python -m fakellm --port 9100`` serves it (``make fake-llm``); ``fakellm.testing`` starts it as
a subprocess and drives its behaviour; ``fakellm.pytest_plugin`` provides the fixtures.
"""
