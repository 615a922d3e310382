"""Personal data in prompts: detection (``detect``), the per-tenant / per-key policy
(``rules``) and reversible masking with streamed restore (``masking``).

Pure functions over text: no database, no Django. The services in
``apps.security.services.pii`` apply the live policy on the request path.
"""
