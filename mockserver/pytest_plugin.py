"""pytest plugin: salesplay-mock for receivers' own test suites."""
