"""One module per pipeline stage; each exposes plain functions over Polars frames."""
