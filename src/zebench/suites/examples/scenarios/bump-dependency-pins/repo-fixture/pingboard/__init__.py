"""pingboard: polls HTTP endpoints and reports which are up."""
