"""Pages of the web shell, one module per group of pages."""
