"""Timer, Accumulator and Animator; the airfoil data; train_ch11 and the book's trainers."""
import pytest

import d2l_optim as d2l
from d2l_optim import plotting
from d2l_optim.plotting import figure_data


def test_timer_records_intervals():
    timer = d2l.Timer()
    with pytest.raises(ValueError, match="no interval recorded"):
        timer.avg()
    first = timer.stop()
    timer.start()
    timer.stop()
    assert first >= 0 and len(timer.times) == 2
    assert timer.sum() == pytest.approx(sum(timer.times))
    assert timer.avg() == pytest.approx(timer.sum() / 2)
    assert timer.cumsum() == pytest.approx([timer.times[0], timer.sum()])


def test_accumulator_sums_numbers_and_tensors(backend):
    metric = d2l.Accumulator(2)
    metric.add(d2l.tensor(1.5), 2)
    metric.add(0.5, d2l.reduce_sum(d2l.tensor([1.0, 2.0])))
    assert (metric[0], metric[1]) == (2.0, 5.0)
    metric.reset()
    assert metric.data == [0.0, 0.0]
    with pytest.raises(ValueError, match="expected 2 values, got 1"):
        metric.add(1.0)


def test_animator_collects_points_and_draws_them_once_read(backend):
    animator = d2l.Animator(xlabel="epoch", legend=["a", "b"], xlim=[0, 3])
    animator.add(1, [d2l.tensor(0.5), None])
    animator.add(2, [0.25, 4.0])
    assert animator.X == [[1.0, 2.0], [2.0]] and animator.Y == [[0.5, 0.25], [4.0]]
    lines = figure_data(animator)[0]["lines"]
    assert lines == [[[1.0, 0.5], [2.0, 0.25]], [[2.0, 4.0]]]
    assert animator.axes[0].get_xlabel() == "epoch" and animator.axes[0].get_xlim() == (0, 3)
    with pytest.raises(ValueError, match="each of the 2 curves, got 1 x and 1 y"):
        animator.add(3, 1.0)


def test_animator_redraws_one_live_display_in_jupyter(monkeypatch):
    ipython_display = pytest.importorskip("IPython.display")
    shown = []

    class Handle:
        def update(self, picture):
            shown.append(picture)

    def display(picture, display_id):
        shown.append(picture)
        return Handle()

    monkeypatch.setattr(plotting, "in_notebook", lambda: True)
    monkeypatch.setattr(ipython_display, "display", display)
    animator = d2l.Animator()
    animator.add(1, 0.3)
    animator.add(2, 0.2)
    assert isinstance(animator.display_handle, Handle) and len(shown) == 2
    assert all(picture.data.startswith("<svg") for picture in shown)


def test_section_saves_an_animator(tmp_path):
    section = d2l.Section("test", argv=["--out", str(tmp_path)])
    animator = d2l.Animator()
    animator.add(0.5, 0.3)
    section.save(animator, "curve")
    assert (tmp_path / "curve.svg").exists() and (tmp_path / "curve.png").exists()
    assert section.figures["curve"][0]["lines"] == [[[0.5, 0.3]]]
