import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_graph.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from booking_graph.process import freeze_startup_objects  # noqa: E402

freeze_startup_objects()  # last: what the process holds from here on lives as long as it does
