#!/usr/bin/env python
"""Django's command-line utility; puts backend/ on sys.path first."""
import os
import sys
from pathlib import Path


def main() -> None:
    backend = str(Path(__file__).resolve().parent / "backend")
    sys.path.insert(0, backend)
    # Child processes (rundramatiq's workers, the autoreloader) import the project too.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [backend, os.environ.get("PYTHONPATH")]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_graph.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
