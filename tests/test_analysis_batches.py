"""The analysis service's batches: full while articles wait, smaller as the
queue runs out, so that no worker is left with two full batches while the
others are idle."""

from __future__ import annotations

from desktop.analysis_jobs import BATCH_SIZE
from desktop.analysis_service import batch_size


def _sizes(pending: int, workers: int) -> list[int]:
    sizes = []
    while pending:
        sizes.append(min(pending, batch_size(pending, workers)))
        pending -= sizes[-1]
    return sizes


def test_batches_are_full_until_the_queue_runs_out_then_shrink():
    sizes = _sizes(150, 2)
    assert sum(sizes) == 150 and max(sizes) == BATCH_SIZE == sizes[0]
    assert sizes == sorted(sizes, reverse=True)
    # the last two batches in flight to a worker hold two articles at most
    assert sum(sizes[-4:]) <= 4


def test_one_article_is_one_batch_and_more_workers_take_smaller_ones():
    assert _sizes(1, 2) == [1]
    assert batch_size(40, 4) < batch_size(40, 2) <= BATCH_SIZE
