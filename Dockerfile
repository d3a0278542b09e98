# DeltaCrown: bot + dashboard + scheduler in one process.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DELTACROWN_STORAGE_DATA_DIR=/data \
    DELTACROWN_DATABASE_URL=sqlite+aiosqlite:////data/deltacrown.db \
    DELTACROWN_DASHBOARD_HOST=0.0.0.0

# CJK glyphs for names in images and PDFs (the Latin, Bengali, Devanagari and Arabic
# fonts ship with the package).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-droid-fallback \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 deltacrown
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY cogs ./cogs
COPY engine ./engine
COPY storage ./storage
COPY dashboard ./dashboard
COPY migrations ./migrations
COPY locale ./locale
RUN pip install . && python -m engine.kernel.i18n compile && mkdir -p /data && chown deltacrown:deltacrown /data

USER deltacrown
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
# Migrate on start (idempotent), then run. Configure with DELTACROWN_* variables.
CMD ["sh", "-c", "deltacrown migrate && deltacrown run"]
