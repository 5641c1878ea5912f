"""Web pages and JSON endpoints besides the webhook intake."""
