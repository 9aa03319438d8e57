"""Kiosk tests: fixed data lives in ``kiosk_data.py`` beside this file."""
