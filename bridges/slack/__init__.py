"""Slack: a line's workspace as a channel, each conversation a thread (slack-bolt)."""
