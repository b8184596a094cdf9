"""The results store: SQLAlchemy 2 with Alembic migrations; SQLite by default, PostgreSQL for teams."""
