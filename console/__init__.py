"""The manager console: every team, every agent, messages and who has read them."""
