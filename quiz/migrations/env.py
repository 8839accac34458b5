"""Alembic environment: the app's engine and metadata, then reference data in step."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    return target_db.engine


config.set_main_option(
    "sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
)


def sync_reference_data(connection):
    """Keep reference data (the regions) in step with the code after every upgrade."""
    from sqlalchemy import inspect

    from quiz.regions.services import sync_regions

    if inspect(connection).has_table("regions"):
        count = sync_regions(connection)
        logger.info("Synced %d regions.", count)


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # Never write an empty migration when the models did not change.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    # SQLite can roll back DDL too: one transaction per upgrade, reference data included.
    conf_args.setdefault("transactional_ddl", True)
    with get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
            sync_reference_data(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
