"""Errors a caller can show to a user as they are: each message says what went wrong
and, where there is one, what to do about it."""


class ParseError(Exception):
    """The file could not be read as a plan document."""


class UnsupportedFormat(ParseError):
    """No reader handles this file name or content."""


class EmptyDocument(ParseError):
    """The file holds no text."""


class CorruptFile(ParseError):
    """The file claims a format but its content is broken (bad zip, bad PDF …)."""


class TooLarge(ParseError):
    """The file, or what it expands to, is over a safety limit."""


class MissingTool(ParseError):
    """A system program the format needs (Tesseract, LibreOffice) is not installed."""
