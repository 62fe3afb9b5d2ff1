"""The outbox: every outbound API call is a delivery row, sent in order per target."""
