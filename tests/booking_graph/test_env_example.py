"""env.example lists every variable the settings read."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_variable_is_in_env_example():
    source = (ROOT / "backend" / "booking_graph" / "settings.py").read_text()
    read = set(re.findall(r'env\.(?:str|bool|int|float|list)\(\s*"([A-Z0-9_]+)"', source))
    listed = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / "env.example").read_text(), flags=re.M))

    assert read, "no env.* calls found: did the settings helpers change?"
    assert read - listed == set()
