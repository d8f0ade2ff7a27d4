"""Comment analytics, offline: language, sentiment and themes of free-text comments (README "Comments")."""
