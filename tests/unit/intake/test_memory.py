"""A generated export is streamed: peak memory does not grow with the number of courses."""

from __future__ import annotations

import tracemalloc

from bench.openvhs_corpus import write_corpus
from services.intake import ImportedCourse, Limits, Refusal, read_document
from services.intake.upload import read_whole


def _peak_while_reading(path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        with open(path, "rb") as stream:
            document = read_document(stream, "vhs-kassel")
            taken = refused = 0
            for record in document.records:
                taken += isinstance(record, ImportedCourse)
                refused += isinstance(record, Refusal)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused == 0
    return taken, peak


def test_the_generated_corpus_is_realistic(tmp_path):
    path = tmp_path / "openvhs-20.xml"
    with open(path, "wb") as out:
        write_corpus(out, 20)
    text = path.read_text("utf-8")

    assert text.count("<veranstaltung>") == 20
    assert "<![CDATA[" in text
    assert "ü" in text


def _corpora(tmp_path, small_count: int, large_count: int):
    """Two generated exports, after one tiny one was read: what is loaded once per process
    (the mapping's word lists, lxml) must not count as the smaller export's memory."""
    paths = [tmp_path / f"openvhs-{n}.xml" for n in (5, small_count, large_count)]
    for path, count in zip(paths, (5, small_count, large_count), strict=True):
        with open(path, "wb") as out:
            write_corpus(out, count)
    with open(paths[0], "rb") as stream:
        for _ in read_document(stream, "vhs-kassel").records:
            pass
    return paths[1], paths[2]


def test_peak_memory_for_1000_courses_is_that_of_250(tmp_path):
    # Sizes kept small: reading under tracemalloc costs a few ms a course, and a course held
    # in memory is kilobytes, so 750 more would show as megabytes.
    small, large = _corpora(tmp_path, 250, 1_000)

    taken_small, peak_small = _peak_while_reading(small)
    taken_large, peak_large = _peak_while_reading(large)

    assert (taken_small, taken_large) == (250, 1_000)
    assert large.stat().st_size > 3.5 * small.stat().st_size
    # Four times the file, not four times the memory.
    assert peak_large < 1.5 * peak_small, (peak_small, peak_large)


def _peak_while_staging(path) -> tuple[int, int]:
    """Read a whole upload as the service does, courses staged for comparing and publishing."""
    tracemalloc.start()
    try:
        with open(path, "rb") as stream:
            reading = read_whole(stream, "vhs-kassel", None, Limits())
        staged = sum(1 for _ in reading.courses)  # and read back once, as the import does
        reading.courses.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return staged, peak


def test_an_upload_read_whole_keeps_its_courses_on_disk_not_in_memory(tmp_path):
    small, large = _corpora(tmp_path, 250, 1_000)

    staged_small, peak_small = _peak_while_staging(small)
    staged_large, peak_large = _peak_while_staging(large)

    assert (staged_small, staged_large) == (250, 1_000)
    # What grows is the set of course ids seen (duplicates, withdrawals): a few hundred bytes
    # a course. A course's payload held in memory is several kilobytes.
    per_course = (peak_large - peak_small) / 750
    assert per_course < 500, (peak_small, peak_large)
