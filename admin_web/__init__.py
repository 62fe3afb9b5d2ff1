"""The web admin panel: server-rendered pages under /admin/ on the core's services."""
