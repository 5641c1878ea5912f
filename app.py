"""WSGI entry point: `gunicorn app:app`. Builds the app from the environment; nothing else."""

from plugin import create_app

app = create_app()
