"""The wall panel: a full-screen Textual app for a team."""
