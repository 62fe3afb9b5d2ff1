"""Operator commands, written once here and rendered by every workspace bridge."""
