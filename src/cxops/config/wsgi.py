import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxops.config.settings")
application = get_wsgi_application()

# Load the Korean analyser when the worker starts, not on its first search (about a second).
if os.environ.get("CXOPS_PRELOAD_TEXT", "1") == "1":
    from cxops.core.text import get_kiwi

    get_kiwi()
