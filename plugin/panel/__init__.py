"""The ticket side panel: Zendesk/Freshdesk app sign-in, the panel's data and the reply check."""
