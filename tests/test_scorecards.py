"""The scorecard's arithmetic and drawing: months filled in, older months summed, bars stacked."""

import pytest

from tracker.site import scorecards
from tracker.site.scorecards import AGAINST, MADE, VERIFICATION_ORDER, nice_ceiling, series


def counts(**by_state) -> dict[str, int]:
    return dict(by_state)


def column(state: str) -> int:
    return [str(s) for s in VERIFICATION_ORDER].index(state)


def test_months_between_crosses_the_new_year():
    assert scorecards.months_between("2025-11", "2026-02") == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert scorecards.months_between("2025-03", "2025-03") == ["2025-03"]


@pytest.mark.parametrize(
    ("count", "top"),
    [(0, 1), (1, 1), (2, 2), (3, 5), (5, 5), (6, 10), (10, 10), (11, 20), (120, 200), (501, 1000)],
)
def test_the_scale_tops_out_at_one_two_or_five_times_a_power_of_ten(count, top):
    assert nice_ceiling(count) == top


def test_months_without_claims_between_two_with_claims_are_drawn_empty():
    side = series(
        MADE,
        {"2025-03": counts(verified=2, unverified=1), "2025-06": counts(disputed=4)},
    )

    assert [row.month for row in side.months] == ["2025-03", "2025-04", "2025-05", "2025-06"]
    assert [row.total for row in side.months] == [3, 0, 0, 4]
    assert side.months[0].counts[column("verified")] == 2
    assert side.months[3].counts[column("disputed")] == 4
    assert side.earlier is None
    assert side.total.total == 7


def test_only_the_latest_months_are_drawn_and_the_older_ones_are_summed_in_one_row():
    by_month = {
        "2023-01": counts(verified=5),
        "2023-02": counts(refuted=1),
        "2025-01": counts(unverified=3),
    }

    side = series(AGAINST, by_month, drawn=12)

    assert [row.month for row in side.months][0] == "2024-02"
    assert side.months[-1].month == "2025-01"
    assert len(side.months) == 12
    assert side.earlier.month == "2024-01"
    assert side.earlier.counts[column("verified")] == 5
    assert side.earlier.counts[column("refuted")] == 1
    assert side.total.total == 9
    assert "6 earlier claims are counted in the table." in side.summary


def test_a_side_without_claims_draws_nothing_and_says_so():
    side = series(MADE, {})

    assert side.is_empty
    assert side.segments == []
    assert side.summary == "No published claims."


def test_the_scorecard_splits_rows_by_side_and_adds_up_repeated_cells():
    card = scorecards.scorecard(
        [
            (MADE, "2025-03", "verified", 2),
            (MADE, "2025-03", "verified", 1),
            (AGAINST, "2025-04", "unverified", 5),
        ]
    )

    assert card[MADE].total.counts[column("verified")] == 3
    assert card[MADE].total.total == 3
    assert card[AGAINST].total.total == 5
    assert card[AGAINST].first_month == "2025-04"


def test_bars_stack_verified_claims_at_the_bottom_and_reach_the_month_total():
    side = series(MADE, {"2025-03": counts(unverified=3, verified=1), "2025-04": counts()})

    march = [segment for segment in side.segments if segment.title.startswith("2025-03")]
    assert [segment.state for segment in march] == ["verified", "unverified"]
    verified, unverified = march
    # The verified segment sits on the baseline; the unverified one on top of it.
    assert verified.y + verified.height == pytest.approx(side.baseline)
    assert unverified.y + unverified.height == pytest.approx(verified.y)
    # Four claims on a scale of five: four fifths of the plot's height.
    assert verified.height + unverified.height == pytest.approx(side.plot_height * 4 / 5)
    assert unverified.title == "2025-03: 3 unverified"


def test_every_bar_stays_inside_the_chart():
    by_month = {f"2025-{month:02d}": counts(verified=month, disputed=1) for month in range(1, 13)}

    side = series(MADE, by_month)

    for segment in side.segments:
        assert segment.x >= scorecards.PLOT_LEFT
        assert segment.x + segment.width <= side.plot_right
        assert segment.y >= scorecards.PLOT_TOP - 0.01
        assert segment.y + segment.height <= side.baseline + 0.01


def test_the_scale_is_marked_at_nought_half_way_and_the_top():
    side = series(MADE, {"2025-03": counts(verified=7)})

    assert [mark.text for mark in side.gridlines] == ["0", "5", "10"]
    assert side.gridlines[0].y == side.baseline
    assert side.gridlines[-1].y == scorecards.PLOT_TOP


def test_many_months_are_labelled_every_few_months_always_ending_with_the_latest():
    by_month = {"2024-01": counts(verified=1), "2025-12": counts(verified=1)}

    side = series(MADE, by_month)

    labels = [label.text for label in side.month_labels]
    assert len(side.months) == 24
    assert len(labels) <= scorecards.MAX_MONTH_LABELS
    assert labels[-1] == "2025-12"


def test_the_summary_names_the_total_the_months_drawn_and_the_busiest():
    side = series(MADE, {"2025-03": counts(verified=1), "2025-04": counts(unverified=4)})

    assert side.summary == "5 claims in all; 2025-03 to 2025-04 drawn, most in 2025-04 (4)."


def test_a_few_months_are_drawn_as_slim_bars_not_slabs():
    side = series(MADE, {"2025-03": counts(verified=1), "2025-04": counts(verified=1)})

    assert all(segment.width <= scorecards.BAR_MAX_WIDTH for segment in side.segments)
