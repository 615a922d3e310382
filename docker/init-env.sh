#!/usr/bin/env bash
# Write docker/agenthub.env and docker/infra.env with fresh random secrets (never overwrites).
set -o errexit -o pipefail -o nounset
cd "$(dirname "$0")"

rand() { python3 -c "import secrets; print(secrets.token_urlsafe($1))"; }

if [[ ! -e infra.env ]]; then
  umask 077
  db_password="$(rand 24)"
  cat > infra.env <<EOT
# Read by the postgres and grafana containers.
POSTGRES_PASSWORD=${db_password}
GF_SECURITY_ADMIN_PASSWORD=$(rand 18)
EOT
  cat > agenthub.env <<EOT
# Read by web, worker and beat. See the README's configuration table for more variables.
SECRET_KEY=$(rand 64)
# Fernet key(s), newest first, that encrypt provider keys stored in the database (README: rotation).
SECRETS_ENCRYPTION_KEYS=$(python3 -c "import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())")
DATABASE_URL=postgres://agenthub:${db_password}@postgres:5432/agenthub
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto, keep the default (true).
# For a plain-HTTP trial on localhost only:
# SECURE_SSL_REDIRECT=false
# CSRF_TRUSTED_ORIGINS=https://agenthub.example.com
EOT
  echo "wrote docker/infra.env and docker/agenthub.env"
else
  echo "docker/infra.env exists; left unchanged"
fi
