#!/bin/bash
# Runs once, when the postgis/postgis container initialises its data directory: creates the
# owner and application roles of Beacon (see README, "Database roles").
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE beacon_owner LOGIN CREATEDB PASSWORD '${BEACON_OWNER_PASSWORD}';
CREATE ROLE beacon_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB PASSWORD '${BEACON_APP_PASSWORD}';
CREATE DATABASE beacon OWNER beacon_owner;
\connect beacon
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS citext;
\connect template1
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS citext;
SQL
