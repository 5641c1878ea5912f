"""The behaviours, one module each; ROUTER composes them for the worker.

- guidance: the playbook that fits a new ticket, as a private note.
- ownership: coaching on public replies that push the problem away.
- transfers: transfer records, late/ping-pong/language/cold flags, the handoff note.
- repeat_contact: the third ticket in 30 days from one customer.
"""

from handlers import guidance, ownership, repeat_contact, transfers
from plugin.routing import Router

ROUTER = Router(guidance.router, ownership.router, transfers.router, repeat_contact.router)
