"""Small shared pieces of the core: clock, locks, dedupe, i18n, events, ports,
audit, files, settings and cards."""
