"""pytest fixtures that start the fake upstream as a real server (filled in by the fakellm work)."""
