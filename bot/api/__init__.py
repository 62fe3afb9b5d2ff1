"""The REST API channel's side of the core: what its messages, conversations and events look
like as JSON (`shapes`), the events its webhooks are sent (`events`, `webhook_calls`), the
customer sender that answers API contacts through their webhook (`customer_sender`), a
conversation's messages as the API lists them (`history`), and idempotency keys
(`idempotency`). The HTTP side is `bridges/api/`."""
