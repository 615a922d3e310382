#!/usr/bin/env bash
# Container entrypoint: one image, one role per container.
#   web        apply migrations, then the async server (uvicorn: agenthub/server.py)
#   worker     Celery worker           beat   Celery beat (database scheduler)
#   bootstrap  seed defaults, create the first admin user and a demo key (prints them once)
#   manage     any manage.py command, e.g. `manage create_api_key --tenant acme`
#   anything else is executed as given (e.g. `bash`).
set -o errexit -o pipefail -o nounset

role="${1:-web}"
if [[ $# -gt 0 ]]; then shift; fi

# prometheus_client multiprocess mode is for the web server only (agenthub/server.py creates and
# wipes the directory); any other process must write plain in-process metrics.
if [[ "$role" == worker && -n "${CELERY_METRICS_PORT:-}" ]]; then
  # the worker serves its own /metrics (agenthub/celery.py), merged over its pool processes
  export PROMETHEUS_MULTIPROC_DIR="${CELERY_METRICS_DIR:-/tmp/celery-metrics}"
  rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
elif [[ "$role" != web ]]; then
  unset PROMETHEUS_MULTIPROC_DIR
fi

case "$role" in
  web)
    env -u PROMETHEUS_MULTIPROC_DIR python manage.py migrate --noinput
    exec python -m agenthub.server "$@"
    ;;
  worker)
    exec celery --app agenthub worker --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
      --concurrency "${CELERY_CONCURRENCY:-4}" "$@"
    ;;
  beat)
    # The schedule lives in the database (django-celery-beat); no schedule file to write.
    exec celery --app agenthub beat --loglevel "${CELERY_LOG_LEVEL:-INFO}" "$@"
    ;;
  bootstrap)
    python manage.py migrate --noinput
    exec python manage.py bootstrap "$@"
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
