"""Conversations: the inbox, the workspace flow, desk actions, routing,
transfers, closing, CSAT, snooze, the scheduler and how a conversation looks."""
