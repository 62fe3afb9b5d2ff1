"""The composition root: start-up wiring, the `relaydesk` CLI and config import.

It imports every layer below with plain imports; nothing imports it."""
