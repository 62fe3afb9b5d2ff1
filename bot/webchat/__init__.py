"""The web chat channel's side of the core: visitor tokens (`tokens`), what a visitor's window
shows (`transcript`), the customer sender that answers visitors (`customer_sender`) and a
visitor's words handed to the inbox (`visitors`). The HTTP and WebSocket side, and the widget
itself, are `bridges/webchat/`; entry points are `bot/directory/webchat_entry_points`."""

CHANNEL = "webchat"
# Where a visitor's window downloads a file (served by the bridge, linked by the transcript).
FILE_PATH = "/webchat/files"
