"""Alembic's autogenerate comparison, timed by `autogen-bench e2e` as a whole process.

Usage: python alembic_compare.py URL_A URL_B SCHEMA[,SCHEMA...]

Reflects every table of the given schemas of database A into one SQLAlchemy MetaData, then
runs alembic.autogenerate.compare_metadata(MigrationContext.configure(connection to B),
metadata): the operations that would turn B into A, which is what `alembic revision
--autogenerate` computes (B plays the database, A the models). Type and server-default
comparison are on (Alembic's defaults since 1.12 compare types; defaults are opt-in), and
include_schemas so the non-default schemas are compared. Prints the number of differences
on stdout; exit status 0.

URLs are SQLAlchemy URLs (postgresql+psycopg2://user@/db?host=/socket/dir&port=N).
"""

import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine


def main():
    url_a, url_b, schemas = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    metadata = MetaData()
    engine_a = create_engine(url_a)
    with engine_a.connect() as connection:
        for schema in schemas:
            metadata.reflect(bind=connection, schema=schema)
    engine_a.dispose()

    engine_b = create_engine(url_b)
    with engine_b.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "compare_type": True,
                "compare_server_default": True,
            },
        )
        differences = compare_metadata(context, metadata)
    engine_b.dispose()
    print(len(differences))


if __name__ == "__main__":
    main()
