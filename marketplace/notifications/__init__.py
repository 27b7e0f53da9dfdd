"""In-app notifications: rows per recipient, rendered at display time in the viewer's language."""
