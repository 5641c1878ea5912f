"""Ownership guard: spot replies and transfers that push responsibility away from the agent."""
