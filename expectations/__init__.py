"""Great Expectations suites (one JSON file per stage) and the helper that runs them."""
