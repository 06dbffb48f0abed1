#!/bin/sh
# Prepares dev-mode Vault for opsline (docker-compose.yaml, docs/vault.md). Dev-mode Vault keeps nothing
# across its own restarts, so this runs on every `docker compose up`; each step is safe to repeat.
set -eu
# The database secrets engine, connected to MariaDB as vault_admin.
vault secrets list | grep -q '^database/' || vault secrets enable database
vault write database/config/opsline \
  plugin_name=mysql-database-plugin \
  connection_url='{{username}}:{{password}}@tcp(mariadb:3306)/' \
  username=vault_admin \
  password=dev-vault-admin-password \
  allowed_roles=opsline-app
# The role: exactly the least-privilege statements of docs/security.md, with Vault's templates.
vault write database/roles/opsline-app \
  db_name=opsline \
  creation_statements="CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';GRANT SELECT, INSERT ON opsline.notes TO '{{name}}'@'%';GRANT SELECT, INSERT ON opsline.audit_log TO '{{name}}'@'%';GRANT SELECT, INSERT, DELETE ON opsline.status_snapshots TO '{{name}}'@'%';GRANT SELECT, INSERT, DELETE ON opsline.status_snapshot_counts TO '{{name}}'@'%';GRANT SELECT ON flasktest.tasks TO '{{name}}'@'%';" \
  revocation_statements="REVOKE ALL PRIVILEGES, GRANT OPTION FROM '{{name}}'@'%';DROP USER '{{name}}'@'%';" \
  default_ttl=1h \
  max_ttl=24h
# What the bot may do, and what `opsline vault revoke` needs on top (sudo on the lease prefix).
vault policy write opsline - <<'HCL'
path "database/creds/opsline-app" { capabilities = ["read"] }
path "sys/leases/renew" { capabilities = ["update"] }
path "sys/leases/revoke" { capabilities = ["update"] }
path "secret/data/opsline/*" { capabilities = ["read"] }
HCL
vault policy write opsline-revoke - <<'HCL'
path "sys/leases/lookup/database/creds/opsline-app/" { capabilities = ["list", "sudo"] }
path "sys/leases/revoke-prefix/database/creds/opsline-app" { capabilities = ["update", "sudo"] }
HCL
# AppRole login for the bot, with fixed dev ids so the sample config can name them.
vault auth list | grep -q '^approle/' || vault auth enable approle
vault write auth/approle/role/opsline token_policies=opsline token_ttl=1h token_max_ttl=24h
vault write auth/approle/role/opsline/role-id role_id=opsline-dev-role-id
vault write auth/approle/role/opsline/custom-secret-id secret_id=opsline-dev-secret-id >/dev/null 2>&1 || true
# A deploy webhook secret, read as vault:opsline/deploy/site#token (dev mode mounts KV v2 at secret/).
vault kv put secret/opsline/deploy/site token=dev-ci-token
echo "vault-init: database/creds/opsline-app, policies opsline and opsline-revoke, AppRole opsline ready"
