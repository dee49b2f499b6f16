import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_graph.settings")
# A web server: its database statements get DB_STATEMENT_TIMEOUT_MS (settings.py). Taken out of the
# environment again once the settings are read, so processes started from this one are not marked.
_marked_web = "BOOKING_GRAPH_WEB_PROCESS" not in os.environ
os.environ.setdefault("BOOKING_GRAPH_WEB_PROCESS", "1")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
if _marked_web:
    os.environ.pop("BOOKING_GRAPH_WEB_PROCESS", None)

from booking_graph.process import freeze_startup_objects  # noqa: E402

freeze_startup_objects()  # last: what the process holds from here on lives as long as it does
