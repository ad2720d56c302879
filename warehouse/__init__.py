"""DuckDB DDL, views and example queries."""
from pathlib import Path

SQL_DIR = Path(__file__).parent
