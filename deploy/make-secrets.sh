#!/usr/bin/env sh
# Makes the secrets docker-compose.yml hands to its services, one file each in
# deploy/secrets/ (git and the image build leave that folder out); it needs openssl. A
# file that is there already is kept: run it again after adding a secret, or delete one
# file to make it anew.
#   deploy/make-secrets.sh
#
# Compose mounts each file into the containers that need it as /run/secrets/NAME, where the
# services read it (flowd's FLOW_*_FILE settings, postgres and minio's *_FILE variables,
# Grafana's __FILE, coturn's start line). The containers run as several users (flowd as
# 10001, Grafana as 472, coturn as nobody), so the files are readable by all and the
# folder by its owner alone.
set -eu
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
chmod 700 secrets

# new NAME: 32 random bytes, hex (letters and digits: safe in a URL and a config line).
new() {
  if [ ! -s "secrets/$1.txt" ]; then
    od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"secrets/$1.txt"
    echo "made secrets/$1.txt"
  fi
}

new flow_secret            # FLOW_SECRET: every node's token hashing key
new postgres_password      # the password of PostgreSQL's user `flow`
new minio_root_password    # MinIO's root password, flowd's S3 secret key
new turn_secret            # coturn's static-auth-secret = FLOW_TURN_SECRET
new grafana_admin_password # Grafana's user `admin`
[ -s secrets/minio_root_user.txt ] || printf flow >secrets/minio_root_user.txt # flowd's S3 access key

# The VAPID key that signs Web Push requests: every node needs the same one (made alone,
# each node would make its own, and a browser's subscription would work with one node only).
if [ ! -s secrets/vapid_private_key.pem ]; then
  openssl ecparam -name prime256v1 -genkey | openssl pkcs8 -topk8 -nocrypt >secrets/vapid_private_key.pem
  echo "made secrets/vapid_private_key.pem"
fi

# FLOW_DB, the database URL, holds the password: made from postgres_password.txt every
# time, so that the two agree.
printf 'postgresql://flow:%s@postgres:5432/flow' "$(cat secrets/postgres_password.txt)" >secrets/flow_db.txt

chmod 644 secrets/*.txt secrets/*.pem
