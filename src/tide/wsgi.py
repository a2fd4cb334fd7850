import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tide.settings")
application = get_wsgi_application()

# What is loaded by now lives as long as the process: moved out of the garbage collector's
# sight, the collector stops walking it again and again as requests allocate, and (with
# gunicorn's --preload) forked workers stop copying the pages it sits in.
gc.collect()
gc.freeze()
