# Image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=pf2s.settings.production
WORKDIR /app
COPY pyproject.toml README.md requirements-deploy.lock ./
COPY pf2s pf2s
COPY indicators indicators
COPY opendata opendata
COPY bti bti
COPY publications publications
COPY newsletter newsletter
COPY observatories observatories
RUN pip install --no-cache-dir -r requirements-deploy.lock && pip install --no-cache-dir --no-deps .
COPY . .
RUN DJANGO_SECRET_KEY=build DJANGO_ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.db \
    REDIS_URL=redis://build:6379/0 python manage.py collectstatic --noinput
RUN useradd --create-home pf2s && mkdir -p /app/media /app/var && chown -R pf2s /app/media /app/var
USER pf2s
EXPOSE 8000
CMD ["gunicorn", "pf2s.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
