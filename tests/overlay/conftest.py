"""Overlay tests: fixed views live in overlay_views.py."""
