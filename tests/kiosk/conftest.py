"""Kiosk tests: fixed data and helpers live in ``kiosk_data.py`` beside this file."""

import sys
from pathlib import Path

HERE = str(Path(__file__).parent)
if HERE not in sys.path:  # the tests import kiosk_data whatever pytest's import mode
    sys.path.insert(0, HERE)
