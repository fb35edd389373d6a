"""The demo county's task list: the six points, rounds, reports in several states and an overdue task under a
督办单; loading twice changes nothing."""
from xiangcun.bodies import demo as bodies_demo
from xiangcun.supervision import demo
from xiangcun.supervision.models import Notice, Report, Round, Section, Status, Task


def test_the_demo_loads_the_six_points_once(maerkang):
    bodies_demo.load_module(maerkang, log=lambda *a: None)
    demo.load_module(maerkang, log=lambda *a: None)
    tasks = Task.objects.filter(county=maerkang)
    assert set(tasks.values_list("section", flat=True)) == set(Section.values)
    assert {r.status for r in Report.objects.filter(task__county=maerkang)} == {"accepted", "returned", "submitted"}
    notice = Notice.objects.get(county=maerkang)
    assert notice.task.number == "2.1" and notice.task.status == Status.OVERDUE
    assert tasks.filter(status=Status.DONE).exists()
    counts = (tasks.count(), Report.objects.count(), Round.objects.count(), Notice.objects.count())
    demo.load_module(maerkang, log=lambda *a: None)
    assert (Task.objects.filter(county=maerkang).count(), Report.objects.count(), Round.objects.count(),
            Notice.objects.count()) == counts
