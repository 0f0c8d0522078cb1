"""Renderers: DOT text, files (SVG/PNG/PDF/JSON), notebook display and backward animations."""
