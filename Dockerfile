# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
# Run on its own, the image trusts no X-Forwarded-For (a client could forge it to dodge the
# per-IP limits); docker-compose.yml sets 1 for its nginx.
ENV TRUSTED_PROXY_COUNT=0

WORKDIR /app
# Arabic, Cyrillic and CJK glyphs for anything the image draws itself (the slim base has only
# DejaVu). One layer, no recommended packages, no apt lists left behind (about 135 MB).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-core fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 1000 app

# Dependencies first so that code changes do not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
RUN pip install --no-cache-dir -c constraints.txt .

COPY . .
# collectstatic and compile_translations need settings that import; the real secret comes from
# the environment at run time.
RUN SECRET_KEY=build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(64))') \
    ALLOWED_HOSTS=localhost sh -c 'python manage.py collectstatic --noinput \
    && python manage.py compile_translations' \
    && mkdir -p /app/media \
    && chown -R app:app /app

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--access-logfile", "-"]
