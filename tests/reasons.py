"""Review reasons of a given length, for the tests that check they are kept whole (issue 14,
item 9): plain words (nothing HTML would escape) ending in a marker, so a page that shows only
a prefix cannot pass for one that shows the whole reason."""

WORDS = "Please add the enrolment figures per school and the dates of each phase. "
END = "END."
# 109 characters answered 500 when the history column held 100; 2,000 is the forms' limit.
LENGTHS = (109, 2000)


def reason_of(length: int) -> str:
    body = (WORDS * (length // len(WORDS) + 1))[: length - len(END)]
    return body + END
