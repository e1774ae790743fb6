# The portal's one image: gunicorn by default; the compose file runs the Celery worker, beat and
# migrations from the same image with another entrypoint.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORTAL_VAR_DIR=/var/lib/portal \
    MEDIA_ROOT=/var/lib/portal/media \
    STATIC_ROOT=/app/staticfiles \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /app

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /var/lib/portal --no-create-home \
        --shell /usr/sbin/nologin portal

# Requirements first: the layer stays cached while only the code changes.
COPY requirements.txt .
RUN pip install --no-compile -r requirements.txt

# The code belongs to root and is read-only for the portal user; it writes only under
# /var/lib/portal (beat's schedule, uploaded attachments on a volume).
COPY . .

# Static files are collected at build time with production settings (DEBUG=0 selects the
# compressed manifest storage). collectstatic reads no secret and no database: the settings'
# embedded defaults are enough, and nothing of this step's environment stays in the image.
RUN DEBUG=0 PORTAL_VAR_DIR=/tmp/build-var python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build-var \
    && install -d -o portal -g portal -m 0750 /var/lib/portal /var/lib/portal/media

USER 10001:10001
EXPOSE 8000

# The database alone: a broker outage or a stopped beat must not take every web container out
# of rotation (the full /healthz is for monitoring; see portal/health.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz?checks=database', timeout=4); sys.exit(0)"]

ENTRYPOINT ["gunicorn", "--config", "gunicorn.conf.py"]
CMD ["portal.wsgi"]
