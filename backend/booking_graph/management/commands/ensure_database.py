"""Create the configured PostgreSQL database when it does not exist yet."""
from __future__ import annotations

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql


class Command(BaseCommand):
    help = "Create the database named by DB_NAME if it is missing (connects to the 'postgres' database)."

    def handle(self, *args, **options) -> None:
        params = connection.get_connection_params()
        name = connection.settings_dict["NAME"]
        params["dbname"] = "postgres"
        params.setdefault("connect_timeout", 5)  # the settings' DB_CONNECT_TIMEOUT when given
        try:
            with psycopg.connect(**params, autocommit=True) as admin:
                exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                if exists:
                    self.stdout.write(f"-- database {name!r} exists")
                    return
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                self.stdout.write(self.style.SUCCESS(f"-- created database {name!r}"))
        except psycopg.OperationalError as exc:
            raise CommandError(
                f"Cannot reach PostgreSQL at {params.get('host')}:{params.get('port')} as {params.get('user')}: {exc}"
            ) from exc
