"""Dagster code location for the news ETL."""
