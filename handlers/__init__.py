"""The behaviours, one module each; ROUTER composes them for the worker.

- guidance: the playbook that fits a new ticket, as a private note.
"""

from handlers import guidance
from plugin.routing import Router

ROUTER = Router(guidance.router)
