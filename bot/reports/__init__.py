"""The contact-centre report: what a period's conversations add up to, aggregated in SQL."""
