"""The behaviours, one module each; ROUTER composes them for the worker.

- guidance: the playbook that fits a new ticket, as a private note.
- ownership: coaching on public replies that push the problem away.
- transfers: transfer records, late/ping-pong/language/cold flags, the handoff note.
- repeat_contact: the third ticket in 30 days from one customer.
- surveys: a satisfaction survey 24–48 h after a solve; answers become tags, notes, recovery
  calls and referral prompts.
- followups: follow-up call tasks inside the customer's call window.
- promises: deadlines promised in replies, tracked until kept or broken.
"""

from handlers import (
    followups,
    guidance,
    ownership,
    promises,
    repeat_contact,
    surveys,
    transfers,
)
from plugin.routing import Router

ROUTER = Router(guidance.router, ownership.router, transfers.router, repeat_contact.router,
                surveys.router, followups.router, promises.router)
