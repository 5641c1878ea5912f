"""Built-in sandbox helpdesk: a local Zendesk-compatible API for demos and end-to-end tests."""

from plugin.sandbox.app import create_sandbox_app
from plugin.sandbox.client import SandboxClient
from plugin.sandbox.common import SandboxRuntime
from plugin.sandbox.config import SandboxConfig
from plugin.sandbox.server import SandboxHandle, run_sandbox, start_in_thread
from plugin.sandbox.state import SandboxState
from plugin.sandbox.webhooks import WebhookSender, sign

__all__ = [
    "SandboxClient",
    "SandboxConfig",
    "SandboxHandle",
    "SandboxRuntime",
    "SandboxState",
    "WebhookSender",
    "create_sandbox_app",
    "run_sandbox",
    "sign",
    "start_in_thread",
]
