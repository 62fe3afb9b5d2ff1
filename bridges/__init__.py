"""Bridges: translate messenger SDK objects to core events and send deliveries."""
