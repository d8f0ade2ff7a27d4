"""The one exception ingestion raises on purpose."""


class FileRejected(Exception):
    """The whole file cannot be loaded; the message names the file, says why and what to do."""
