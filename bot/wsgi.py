"""WSGI entry point for production servers: `gunicorn -w 4 bot.wsgi:app`.

Run `python -m bot db upgrade` once before starting workers; the workers do not migrate.
"""

from bot.app import create_app
from bot.logs import setup_logging

setup_logging()
app = create_app()
