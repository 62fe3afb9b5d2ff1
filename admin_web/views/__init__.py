"""One module per group of pages; each exposes `routes` (an aiohttp RouteTableDef)."""
