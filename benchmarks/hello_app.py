"""The baseline for benchmarks/ingest.py: a bare Flask app that acknowledges any POST."""

from flask import Flask

app = Flask(__name__)


@app.post("/webhooks/zendesk")
def acknowledge():
    return {"status": "queued"}, 202
