"""Rules: two ordered lists, for incoming events (a new conversation, a customer's message)
and for changed conversations (status, assignee, line, topic; an operator wrote), each rule
conditions (all or any) and actions, and a flag that stops the rules after it.

- `schema`: a rule as written and its check, refusals in plain words
- `conditions`: each condition as a pure function of `facts` (one event's snapshot)
- `safe_regex`: which regular expressions a rule may use, and why they cannot run away
- `actions`: what a rule does, through the desk actions and the outbox
- `book`: the enabled rules, compiled and kept in memory, refreshed across instances
- `runner`: the rules run with the event, in its transaction, without loops
- `store`: saving and removing rules; `templates`: ready-made rules
"""
