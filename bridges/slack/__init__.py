"""Slack: a line's workspace as a channel, each conversation a thread (slack-bolt)."""

# Here, not in runtime.py, so the route exists before slack_bolt is imported.
EVENTS_PATH = "/slack/events"
