"""The HTTP API (FastAPI): ``create_app(moderator)`` builds the app ``cleanspeech serve`` runs.

Importing this package imports FastAPI; code shared with the other edges (limits, warm-up) lives
in :mod:`cleanspeech.limits` so the Streamlit UI and the CLI do not pull it in.
"""

from cleanspeech.server.app import API_VERSION, app_from_env, create_app

__all__ = ["API_VERSION", "app_from_env", "create_app"]
