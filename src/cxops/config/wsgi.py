import gc
import os
from typing import Any

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxops.config.settings")
application = get_wsgi_application()

# Load the Korean analyser when the worker starts, not on its first search (about a second).
if os.environ.get("CXOPS_PRELOAD_TEXT", "1") == "1":
    from cxops.core.text import get_kiwi

    get_kiwi()

# What a worker loads at start and on its first requests (modules imported on first use, compiled
# templates, API schemas, cached settings) lives as long as the process: some 200,000 objects that
# every full garbage collection walks again, a pause of 100-200 ms that landed on one request in a
# few hundred (the inbox's p99). Frozen, the collector skips them; only what survives a collection
# is frozen, and at most twice per process.
FREEZE_AFTER = tuple(int(n) for n in os.environ.get("CXOPS_GC_FREEZE_AFTER", "0,200").split(",") if n.strip())
_served = 0


def _freeze_long_lived(**_kwargs: Any) -> None:
    global _served
    _served += 1
    if _served in FREEZE_AFTER:
        gc.collect()
        gc.freeze()


if FREEZE_AFTER:
    _freeze_long_lived()  # request "0": what the start-up loaded
    request_finished.connect(_freeze_long_lived, dispatch_uid="cxops-gc-freeze")
