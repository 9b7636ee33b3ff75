# Production image: gunicorn serves the webhook; the same image runs the scheduler.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY bot ./bot
COPY handlers ./handlers
COPY domain ./domain
COPY jobs ./jobs
COPY services ./services
COPY texts ./texts
COPY config ./config
COPY alembic.ini ./

# instance/media exists (owned by bot) so the named volume mounted there starts writable.
RUN useradd --create-home --uid 10001 bot && mkdir -p instance/media && chown -R bot instance
USER bot

EXPOSE 8000
# Migrations run once (`python -m bot db upgrade`) before the workers start; see docker-compose.yml.
CMD ["gunicorn", "-w", "4", "-k", "gthread", "--threads", "8", "-b", "0.0.0.0:8000", "--timeout", "30", "bot.wsgi:app"]
