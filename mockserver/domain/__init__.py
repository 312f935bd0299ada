"""The rules of the mock, with no network, no database and no aiohttp: words, records,
errors, time, the schedule, settings (a scenario file is read here, and parsed)."""
