"""Suggested answers: under a customer's question, the quick replies and earlier operator
answers of the team that match it best, found offline (BM25 over the team's own texts)."""
