"""The agent overlay: a compact Textual app with an agent's own figures."""
