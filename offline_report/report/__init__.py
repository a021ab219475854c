"""The day model, its serialisation, and the templates that render it."""
