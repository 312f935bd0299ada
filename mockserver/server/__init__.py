"""The only code that knows how the parts meet: the app, its wiring, routes and serving."""
