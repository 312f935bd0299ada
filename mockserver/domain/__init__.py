"""The rules of the mock that need no I/O and no aiohttp: words, records, errors, time, the schedule."""
