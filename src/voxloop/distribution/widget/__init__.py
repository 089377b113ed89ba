"""Web widgets: every write about them (services), what a visitor's page may show (visits),
the public loader and frame (public) and the staff pages (views)."""
