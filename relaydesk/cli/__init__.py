"""The `relaydesk` command and its sub-commands."""
